//! The spreadsheet worker: `.xlsx`/`.xls`/`.ods` files are read, `.xlsx` files written and
//! GB18030 (GBK) text decoded in a second, smaller wasm (`src/bin/tierbook-sheets.rs`) run as a
//! Web Worker, so the page's own download does not carry the libraries that only these steps
//! need (calamine, rust_xlsxwriter, zip, encoding_rs's tables), and a big sheet never freezes
//! the page. Each request starts a
//! worker and ends it when answered, which also hands its memory back.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::domain::spreadsheet::{CellKind, SheetOut};

/// Trunk's loader for the worker (`data-loader-shim` in index.html), beside the page.
const WORKER_URL: &str = "./tierbook-sheets_loader.js";
/// What the worker says once its wasm is running and it listens.
pub const READY: &str = "ready";

fn set(object: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &key.into(), value);
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// A request `op` carrying a file's bytes (moved to the worker, not copied).
fn bytes_request(op: &str, bytes: &[u8]) -> (Object, Array) {
    let request = Object::new();
    let data = Uint8Array::from(bytes);
    set(&request, "op", &op.into());
    set(&request, "bytes", &data);
    (request, Array::of1(&data.buffer()))
}

/// A request to read sheet `sheet` of a spreadsheet file's bytes.
pub fn read_request(bytes: &[u8], sheet: usize) -> (Object, Array) {
    let (request, transfer) = bytes_request("read", bytes);
    set(&request, "sheet", &(sheet as u32).into());
    (request, transfer)
}

/// A request to decode GB18030 bytes.
pub fn gb18030_request(bytes: &[u8]) -> (Object, Array) {
    bytes_request("gb18030", bytes)
}

/// The worker's answer to a GB18030 request: the text, or null when the bytes are not GB18030.
pub fn text_answer(text: Option<&str>) -> Object {
    let answer = Object::new();
    set(&answer, "text", &text.map_or(JsValue::NULL, JsValue::from));
    answer
}

/// A request to write sheets as one `.xlsx`.
pub fn write_request(sheets: &[SheetOut]) -> (Object, Array) {
    let request = Object::new();
    set(&request, "op", &"write".into());
    let list = Array::new();
    for sheet in sheets {
        let item = Object::new();
        set(&item, "name", &sheet.name.as_str().into());
        set(&item, "csv", &sheet.csv.as_str().into());
        let cells: Vec<u8> = sheet.cells.iter().map(|c| *c as u8).collect();
        set(&item, "cells", &Uint8Array::from(&cells[..]));
        list.push(&item);
    }
    set(&request, "sheets", &list);
    (request, Array::new())
}

/// The sheets of a write request, as the worker reads them.
pub fn sheets_of(request: &JsValue) -> Vec<SheetOut> {
    Array::from(&get(request, "sheets"))
        .iter()
        .map(|item| SheetOut {
            name: get(&item, "name").as_string().unwrap_or_default(),
            csv: get(&item, "csv").as_string().unwrap_or_default(),
            cells: Uint8Array::new(&get(&item, "cells")).to_vec().into_iter().map(CellKind::from_code).collect(),
        })
        .collect()
}

/// The bytes a read or GB18030 request carries.
pub fn bytes_of(request: &JsValue) -> Vec<u8> {
    Uint8Array::new(&get(request, "bytes")).to_vec()
}

/// The sheet a read request asks for.
pub fn sheet_of(request: &JsValue) -> usize {
    get(request, "sheet").as_f64().unwrap_or(0.0) as usize
}

pub fn op_of(request: &JsValue) -> String {
    get(request, "op").as_string().unwrap_or_default()
}

/// The worker's answer to a read: the sheet names and the sheet asked for as CSV text.
pub fn read_answer(names: &[String], csv: &str) -> Object {
    let answer = Object::new();
    set(&answer, "names", &names.iter().map(|n| JsValue::from(n.as_str())).collect::<Array>());
    set(&answer, "csv", &csv.into());
    answer
}

/// The worker's answer when the file could not be read or written: why.
pub fn error_answer(reason: &str) -> Object {
    let answer = Object::new();
    set(&answer, "error", &reason.into());
    answer
}

/// Reads sheet `sheet` of a spreadsheet file: (all sheet names, that sheet as CSV text), or
/// why it could not be read.
pub async fn read_spreadsheet(bytes: &[u8], sheet: usize) -> Result<(Vec<String>, String), String> {
    let (request, transfer) = read_request(bytes, sheet);
    let answer = ask(&request, &transfer).await?;
    let names = Array::from(&get(&answer, "names")).iter().filter_map(|n| n.as_string()).collect();
    Ok((names, get(&answer, "csv").as_string().unwrap_or_default()))
}

/// GB18030 (GBK) bytes as text; Ok(None) when they are not GB18030.
pub async fn gb18030_text(bytes: &[u8]) -> Result<Option<String>, String> {
    let (request, transfer) = gb18030_request(bytes);
    let answer = ask(&request, &transfer).await?;
    Ok(get(&answer, "text").as_string())
}

/// Writes sheets as one `.xlsx` file's bytes.
pub async fn write_xlsx(sheets: &[SheetOut]) -> Result<Vec<u8>, String> {
    let (request, transfer) = write_request(sheets);
    let answer = ask(&request, &transfer).await?;
    Ok(Uint8Array::new(&answer).to_vec())
}

/// Starts a worker, hands it the request once it is ready, and ends it once it has answered.
async fn ask(request: &Object, transfer: &Array) -> Result<JsValue, String> {
    let worker = web_sys::Worker::new(WORKER_URL).map_err(|e| text_of(&e))?;
    let settle: Rc<RefCell<Option<(Function, Function)>>> = Rc::default();
    let promise = Promise::new(&mut |resolve, reject| *settle.borrow_mut() = Some((resolve, reject)));
    let Some((resolve, reject)) = settle.borrow_mut().take() else { return Err("worker".into()) };
    let (to_send, to_transfer, messenger, reject_on_error) =
        (request.clone(), transfer.clone(), worker.clone(), reject.clone());
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        let data = ev.data();
        if data.as_string().as_deref() == Some(READY) {
            if let Err(e) = messenger.post_message_with_transfer(&to_send, &to_transfer) {
                let _ = reject.call1(&JsValue::NULL, &e);
            }
        } else {
            let _ = resolve.call1(&JsValue::NULL, &data);
        }
    });
    // A worker that cannot load or that stops (a panic) reports an error event instead.
    let failed = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
        ev.prevent_default();
        let _ = reject_on_error.call1(&JsValue::NULL, &get(&ev, "message"));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(failed.as_ref().unchecked_ref()));
    let answer = JsFuture::from(promise).await;
    worker.terminate();
    drop((on_message, failed));
    let answer = answer.map_err(|e| text_of(&e))?;
    match get(&answer, "error").as_string() {
        Some(reason) => Err(reason),
        None => Ok(answer),
    }
}

fn text_of(value: &JsValue) -> String {
    value
        .as_string()
        .or_else(|| value.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "the spreadsheet worker stopped".to_string())
}
