//! The workbook lock's key derivation: PBKDF2-SHA256 over the passphrase by the browser's
//! WebCrypto (fast and constant-time; 600,000 iterations take well under a second). The
//! sealing itself is `domain::sealed`, so it can run inside an IndexedDB transaction.

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn get(target: &JsValue, name: &str) -> Result<JsValue, String> {
    Reflect::get(target, &name.into()).map_err(|e| format!("{e:?}"))
}

fn method(target: &JsValue, name: &str) -> Result<js_sys::Function, String> {
    get(target, name)?.dyn_into::<js_sys::Function>().map_err(|_| format!("no {name}"))
}

/// The 256-bit key of `passphrase` with this salt and iteration count.
pub async fn derive_key(passphrase: &str, salt: &[u8], iterations: u32) -> Result<[u8; 32], String> {
    let window = web_sys::window().ok_or("no window")?;
    let subtle = get(&get(&window, "crypto")?, "subtle")?;
    let error = |e: JsValue| format!("{e:?}");
    let import_args = Array::of5(
        &"raw".into(),
        &Uint8Array::from(passphrase.as_bytes()),
        &"PBKDF2".into(),
        &JsValue::FALSE,
        &Array::of1(&"deriveBits".into()),
    );
    let promise = Reflect::apply(&method(&subtle, "importKey")?, &subtle, &import_args).map_err(error)?;
    let base = JsFuture::from(promise.dyn_into::<js_sys::Promise>().map_err(error)?).await.map_err(error)?;
    let params = Object::new();
    for (k, v) in [
        ("name", JsValue::from_str("PBKDF2")),
        ("hash", JsValue::from_str("SHA-256")),
        ("salt", Uint8Array::from(salt).into()),
        ("iterations", JsValue::from(iterations)),
    ] {
        Reflect::set(&params, &k.into(), &v).map_err(error)?;
    }
    let promise = method(&subtle, "deriveBits")?.call3(&subtle, &params, &base, &JsValue::from(256)).map_err(error)?;
    let bits = JsFuture::from(promise.dyn_into::<js_sys::Promise>().map_err(error)?).await.map_err(error)?;
    let mut key = [0u8; 32];
    Uint8Array::new(&bits).copy_to(&mut key);
    Ok(key)
}
