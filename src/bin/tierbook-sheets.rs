//! The spreadsheet worker (see `tierbook::sheet_worker`): reads a sheet of an `.xlsx`/`.xls`/
//! `.ods` file as CSV text, writes sheets as one `.xlsx`, or decodes GB18030 text; one request
//! per worker.

#[cfg(target_arch = "wasm32")]
fn main() {
    use tierbook::domain::sheet::gb18030_text;
    use tierbook::domain::spreadsheet::{read_sheet, write_xlsx};
    use tierbook::sheet_worker::{bytes_of, error_answer, op_of, read_answer, sheet_of, sheets_of, text_answer, READY};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    console_error_panic_hook::set_once();
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let replier = scope.clone();
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        let request = ev.data();
        let sent = match op_of(&request).as_str() {
            "read" => match read_sheet(&bytes_of(&request), sheet_of(&request)) {
                Ok((names, csv)) => replier.post_message(&read_answer(&names, &csv)),
                Err(problem) => replier.post_message(&error_answer(&problem.0)),
            },
            "gb18030" => replier.post_message(&text_answer(gb18030_text(&bytes_of(&request)).as_deref())),
            "write" => match write_xlsx(&sheets_of(&request)) {
                Ok(bytes) => {
                    let data = js_sys::Uint8Array::from(&bytes[..]);
                    replier.post_message_with_transfer(&data, &js_sys::Array::of1(&data.buffer()))
                }
                Err(problem) => replier.post_message(&error_answer(&problem.0)),
            },
            other => replier.post_message(&error_answer(&format!("unknown request {other:?}"))),
        };
        if sent.is_err() {
            // The page waits for an answer: say why there is none.
            let _ = replier.post_message(&error_answer("the answer could not be sent"));
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // Listens for as long as the worker lives.
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str(READY));
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The spreadsheet worker runs in the browser, started by the page.");
}
