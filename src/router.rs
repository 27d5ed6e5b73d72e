//! Keeps the current route and the location's fragment in step. Opening a page pushes a
//! history entry (so Back and Forward move between pages); a list filter or a date replaces
//! the current entry (a bookmark keeps it, Back does not step through every keystroke).
//!
//! leptos_router 0.8 routes on the path only (`BrowserUrl`; hash routing is its open issue
//! #2184), and path routes 404 on a static host after a reload, so routes are fragments here.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::i18n::{tr, Lang};
use crate::route::{Page, Route};

#[derive(Clone, Copy)]
pub struct Navigator {
    pub route: RwSignal<Route>,
    /// The page alone, so a changed filter does not rebuild the page.
    pub page: Memo<Page>,
    /// True while a form holds input that is not saved: leaving asks first.
    pub unsaved: RwSignal<bool>,
    /// The list as the user left it (search text, filters), for "back to the list".
    last_list: StoredValue<Route>,
    /// A parameter change not yet written to the address bar (see `set_params_soon`).
    pending_url: StoredValue<Option<TimeoutHandle>>,
    lang: RwSignal<Lang>,
}

/// How long the parameters must stay still before the address bar follows them.
const URL_PAUSE: std::time::Duration = std::time::Duration::from_millis(400);

pub fn use_navigator() -> Navigator {
    expect_context::<Navigator>()
}

fn current_fragment() -> String {
    window().location().hash().unwrap_or_default()
}

impl Navigator {
    /// Starts from the location's fragment and follows it from then on.
    pub fn start(lang: RwSignal<Lang>) -> Navigator {
        let route = RwSignal::new(Route::parse(&current_fragment()));
        let nav = Navigator {
            route,
            page: Memo::new(move |_| route.with(|r| r.page)),
            unsaved: RwSignal::new(false),
            last_list: StoredValue::new(Route::default()),
            pending_url: StoredValue::new(None),
            lang,
        };
        // A bookmark of an old form (or none) is shown with its canonical URL.
        nav.replace_url(&route.get_untracked());
        window_event_listener_untyped("hashchange", move |_| nav.follow_location());
        window_event_listener_untyped("beforeunload", move |event| {
            if nav.unsaved.get_untracked() {
                event.prevent_default();
            }
        });
        nav
    }

    /// Opens a page (a new history entry). The page already open keeps its state; the list
    /// comes back with its filters.
    pub fn go(&self, page: Page) {
        let current = self.route.get_untracked();
        if current.page == page {
            return;
        }
        if !self.may_leave(&current, page) {
            return;
        }
        let route = if page == Page::Customers { self.last_list.get_value() } else { Route::of(page) };
        // The entry being left gets its last parameters before the new one is pushed, so Back
        // returns to them.
        self.write_pending_url();
        self.show(route);
        let _ = window().location().set_hash(&self.route.get_untracked().to_fragment());
    }

    /// The link of a page, for `href` (a link opened in a new tab opens that page).
    pub fn href(page: Page) -> String {
        Route::of(page).to_fragment()
    }

    /// Changes the current page's parameters without a new history entry.
    pub fn set_params(&self, params: Vec<(String, String)>) {
        let current = self.route.get_untracked();
        let route = Route::with_params(current.page, params);
        if route != current {
            self.cancel_pending_url();
            self.replace_url(&route);
            self.show(route);
        }
    }

    /// `set_params` for text as it is typed: the address bar follows once typing pauses (or
    /// at `write_pending_url`). A `replaceState` per keystroke costs milliseconds of each
    /// keystroke, and Chrome stops a page that calls it too often.
    pub fn set_params_soon(&self, params: Vec<(String, String)>) {
        let current = self.route.get_untracked();
        let route = Route::with_params(current.page, params);
        if route != current {
            self.show(route);
            self.cancel_pending_url();
            let nav = *self;
            let write = move || {
                nav.pending_url.set_value(None);
                nav.replace_url(&nav.route.get_untracked());
            };
            self.pending_url.set_value(set_timeout_with_handle(write, URL_PAUSE).ok());
        }
    }

    fn cancel_pending_url(&self) {
        if let Some(handle) = self.pending_url.get_value() {
            handle.clear();
            self.pending_url.set_value(None);
        }
    }

    /// Writes a parameter change still waiting for its pause now.
    pub fn write_pending_url(&self) {
        if self.pending_url.get_value().is_some() {
            self.cancel_pending_url();
            self.replace_url(&self.route.get_untracked());
        }
    }

    fn show(&self, route: Route) {
        if route.page == Page::Customers {
            self.last_list.set_value(route.clone());
        }
        if route.page != self.route.with_untracked(|r| r.page) {
            // The focused control leaves with its page: let it go now, while the layout is
            // still clean; removing a focused element forces a full layout of the old page.
            if let Some(focused) = document().active_element().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = focused.blur();
            }
            self.unsaved.set(false);
            // A new page starts at its top, as a page load would.
            window().scroll_to_with_x_and_y(0.0, 0.0);
        }
        self.route.set(route);
    }

    /// Back, Forward, a typed or followed link: the location changed first, so leaving a form
    /// with unsaved input that the user wants to keep puts the form's URL back.
    fn follow_location(&self) {
        let current = self.route.get_untracked();
        let next = Route::parse(&current_fragment());
        if next == current {
            return;
        }
        // The location is another entry now: a waiting change of the old one must not land on it.
        self.cancel_pending_url();
        if !self.may_leave(&current, next.page) {
            if let Ok(history) = window().history() {
                let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&current.to_fragment()));
            }
            return;
        }
        self.show(next);
    }

    fn may_leave(&self, current: &Route, next: Page) -> bool {
        if !self.unsaved.get_untracked() || current.page == next {
            return true;
        }
        let question = tr(self.lang.get_untracked(), "nav.leave-unsaved");
        window().confirm_with_message(question).unwrap_or(true)
    }

    fn replace_url(&self, route: &Route) {
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&route.to_fragment()));
        }
    }
}
