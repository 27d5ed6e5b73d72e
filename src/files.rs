//! Files in and out of the page: reading a chosen file's bytes, offering bytes as a download,
//! letting the browser breathe during long work, and the service worker for offline use.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The bytes of a file the user chose.
pub async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer()).await.map_err(|e| format!("{e:?}"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Offers `bytes` as a file download named `name`.
pub fn download(name: &str, mime: &str, bytes: &[u8]) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.click();
    // The browser has started the download once click() returns; the URL is no longer needed.
    web_sys::Url::revoke_object_url(&url)?;
    Ok(())
}

/// A file name safe on every system: the workbook name, what is in it and today's date.
pub fn file_name(workbook: &str, what: &str, date: &str, extension: &str) -> String {
    let clean: String =
        workbook.trim().chars().map(|c| if "/\\:*?\"<>|".contains(c) || c.is_control() { '_' } else { c }).collect();
    let clean = if clean.is_empty() { "Tierbook".to_string() } else { clean };
    format!("{clean}-{what}-{date}.{extension}")
}

/// Resolves on the next macrotask, so the page can paint and take input between chunks.
/// A message to itself rather than a timeout: browsers stretch repeated timeouts to 4 ms.
pub async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        match web_sys::MessageChannel::new() {
            Ok(channel) => {
                channel.port1().set_onmessage(Some(resolve.unchecked_ref()));
                let _ = channel.port2().post_message(&JsValue::NULL);
                // The channel lives until the message arrives: the handler holds port1.
                std::mem::forget(channel);
            }
            Err(_) => {
                if let Some(window) = web_sys::window() {
                    let _ = window.set_timeout_with_callback(resolve.unchecked_ref());
                }
            }
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// A `performance.mark` for the benchmarks (`tests/bench/import_bench.mjs` reads them to
/// say where an import's time goes); costs next to nothing when nobody reads it.
pub fn mark(name: &str) {
    #[cfg(feature = "alloc-count")]
    crate::alloc_count::report(name);
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// Registers the service worker that keeps the app shell for offline use (`sw.js`, beside the
/// page, so it works under any sub-path). Without service workers (or on file://) the page
/// simply needs the network, as before.
pub fn register_service_worker() {
    let Some(window) = web_sys::window() else { return };
    let navigator = window.navigator();
    let Ok(container) = js_sys::Reflect::get(&navigator, &"serviceWorker".into()) else { return };
    if container.is_undefined() {
        return;
    }
    let Ok(register) = js_sys::Reflect::get(&container, &"register".into()) else { return };
    let Some(register) = register.dyn_ref::<js_sys::Function>() else { return };
    if let Ok(promise) = register.call1(&container, &"./sw.js".into()) {
        if let Ok(promise) = promise.dyn_into::<js_sys::Promise>() {
            // Before the app mounts, so not through Leptos's executor.
            wasm_bindgen_futures::spawn_local(async move {
                let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
            });
        }
    }
}
