//! Small preferences in local storage (gloo-storage): language and the like.

use gloo_storage::{LocalStorage, Storage};

use crate::i18n::Lang;

const LANG_KEY: &str = "tierbook.lang";

pub fn language() -> Lang {
    LocalStorage::get(LANG_KEY).unwrap_or_default()
}

pub fn set_language(lang: Lang) {
    // Losing this preference is harmless: the page falls back to 中文.
    let _ = LocalStorage::set(LANG_KEY, lang);
}

const WORKBOOK_NAME_KEY: &str = "tierbook.workbook-name";

/// The name exported files start with.
pub fn workbook_name() -> String {
    LocalStorage::get(WORKBOOK_NAME_KEY).unwrap_or_else(|_| "Tierbook".to_string())
}

pub fn set_workbook_name(name: &str) {
    let _ = LocalStorage::set(WORKBOOK_NAME_KEY, name);
}
