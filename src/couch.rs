//! A small client for a CouchDB-API database over the browser's fetch: JSON in, JSON out,
//! basic auth, a client-side timeout (PouchDB servers ignore the longpoll `timeout`), and
//! each failure named the way a user can act on it.

use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, Request, RequestInit, Response};

#[derive(Clone, Debug, PartialEq)]
pub enum CouchError {
    /// No answer: offline, wrong address, server down or CORS not set up for this page.
    Unreachable,
    /// 401: wrong name or password.
    Unauthorized,
    /// 403: the server's `_security` or a validation function refused.
    Forbidden(String),
    /// 404 on the database itself.
    DatabaseMissing,
    /// 413: a document larger than the server accepts.
    TooLarge,
    Other(u16, String),
    /// An answer that is not the JSON the protocol promises.
    BadAnswer(String),
}

pub struct Couch {
    /// The database URL, without a trailing slash.
    pub url: String,
    authorization: Option<String>,
}

impl Couch {
    pub fn new(url: &str, user: &str, password: &str) -> Couch {
        let authorization = (!user.is_empty()).then(|| {
            let bytes = format!("{user}:{password}");
            // btoa takes Latin-1; a UTF-8 password goes through its bytes.
            let latin1: String = bytes.as_bytes().iter().map(|b| *b as char).collect();
            let encoded = web_sys::window().and_then(|w| w.btoa(&latin1).ok()).unwrap_or_default();
            format!("Basic {encoded}")
        });
        Couch { url: url.trim().trim_end_matches('/').to_string(), authorization }
    }

    /// `method` on `path` (relative to the database, "" for the database itself).
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        timeout_ms: i32,
    ) -> Result<(u16, Value), CouchError> {
        let body = body.map(Value::to_string);
        let (status, text) = self.request_text(method, path, body, timeout_ms).await?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }

    /// `request` with the bodies as JSON text (large batches are written and read without a
    /// JSON tree in between).
    pub async fn request_text(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
        timeout_ms: i32,
    ) -> Result<(u16, String), CouchError> {
        let url = if path.is_empty() { self.url.clone() } else { format!("{}/{path}", self.url) };
        let init = RequestInit::new();
        init.set_method(method);
        let headers = Headers::new().map_err(|_| CouchError::Unreachable)?;
        let _ = headers.set("Accept", "application/json");
        if let Some(auth) = &self.authorization {
            let _ = headers.set("Authorization", auth);
        }
        if let Some(body) = body {
            let _ = headers.set("Content-Type", "application/json");
            init.set_body(&JsValue::from_str(&body));
        }
        init.set_headers(&headers);
        let controller = AbortController::new().ok();
        if let Some(c) = &controller {
            init.set_signal(Some(&c.signal()));
        }
        let window = web_sys::window().ok_or(CouchError::Unreachable)?;
        let timer = controller.as_ref().and_then(|c| {
            let c = c.clone();
            let abort = wasm_bindgen::closure::Closure::once_into_js(move || c.abort());
            window.set_timeout_with_callback_and_timeout_and_arguments_0(abort.unchecked_ref(), timeout_ms).ok()
        });
        let request = Request::new_with_str_and_init(&url, &init).map_err(|_| CouchError::Unreachable)?;
        let answer = JsFuture::from(window.fetch_with_request(&request)).await;
        let response: Response = answer.map_err(|_| CouchError::Unreachable)?.unchecked_into();
        let text = match response.text() {
            Ok(promise) => JsFuture::from(promise).await.ok().and_then(|t| t.as_string()).unwrap_or_default(),
            Err(_) => String::new(),
        };
        if let Some(timer) = timer {
            window.clear_timeout_with_handle(timer);
        }
        let status = response.status();
        if (200..300).contains(&status) {
            return Ok((status, text));
        }
        let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let reason = || json["reason"].as_str().or(json["error"].as_str()).unwrap_or_default().to_string();
        match status {
            401 => Err(CouchError::Unauthorized),
            403 => Err(CouchError::Forbidden(reason())),
            404 if path.is_empty() => Err(CouchError::DatabaseMissing),
            404 => Ok((status, text)),
            413 => Err(CouchError::TooLarge),
            _ => Err(CouchError::Other(status, reason())),
        }
    }

    pub async fn get(&self, path: &str) -> Result<(u16, Value), CouchError> {
        self.request("GET", path, None, 60_000).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Result<Value, CouchError> {
        self.request("POST", path, Some(body), 120_000).await.map(|(_, v)| v)
    }

    pub async fn post_text(&self, path: &str, body: String) -> Result<String, CouchError> {
        self.request_text("POST", path, Some(body), 120_000).await.map(|(_, t)| t)
    }

    pub async fn put(&self, path: &str, body: &Value) -> Result<Value, CouchError> {
        self.request("PUT", path, Some(body), 60_000).await.map(|(_, v)| v)
    }
}

/// A sequence value for a query string: CouchDB's are strings, PouchDB's numbers.
pub fn seq_param(seq: &Value) -> String {
    let text = match seq {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
