//! Where the user is, as a URL fragment: `#/customers/<id>`, `#/dashboard?as_of=2026-06-30`.
//! Hash URLs need nothing from the web server, so a bookmark, a reload or a link opened in a
//! new tab works from any static host, under any sub-path, and offline. Pure: tested on the host.

use crate::domain::model::CustomerId;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Customers,
    Customer(CustomerId),
    /// None: a new customer.
    EditCustomer(Option<CustomerId>),
    Dashboard,
    ImportExport,
    Tiers,
    Analytics,
    Reminders,
    Settings,
}

/// A page and the parameters that say how it is shown (search text, filters, a date).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub page: Page,
    /// In the order they appear; a key at most once.
    pub params: Vec<(String, String)>,
}

impl Default for Route {
    fn default() -> Route {
        Route::of(Page::Customers)
    }
}

impl Page {
    /// The path of the page, without parameters.
    pub fn path(self) -> String {
        match self {
            Page::Customers => "/customers".into(),
            Page::Customer(id) => format!("/customers/{id}"),
            Page::EditCustomer(Some(id)) => format!("/customers/{id}/edit"),
            Page::EditCustomer(None) => "/customers/new".into(),
            Page::Dashboard => "/dashboard".into(),
            Page::ImportExport => "/import".into(),
            Page::Tiers => "/tiers".into(),
            Page::Analytics => "/analytics".into(),
            Page::Reminders => "/today".into(),
            Page::Settings => "/settings".into(),
        }
    }

    /// The page a path names; None for a path no page has.
    pub fn from_path(path: &str) -> Option<Page> {
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        let id = |text: &str| text.parse::<CustomerId>().ok();
        Some(match parts.as_slice() {
            [] | ["customers"] => Page::Customers,
            ["customers", "new"] => Page::EditCustomer(None),
            ["customers", n] => Page::Customer(id(n)?),
            ["customers", n, "edit"] => Page::EditCustomer(Some(id(n)?)),
            ["dashboard"] => Page::Dashboard,
            ["import"] => Page::ImportExport,
            ["tiers"] => Page::Tiers,
            ["analytics"] => Page::Analytics,
            ["today"] => Page::Reminders,
            ["settings"] => Page::Settings,
            _ => return None,
        })
    }

    /// The menu entry a page belongs to (a card and its form belong to the list).
    pub fn section(self) -> Page {
        match self {
            Page::Customer(_) | Page::EditCustomer(_) => Page::Customers,
            page => page,
        }
    }
}

impl Route {
    pub fn of(page: Page) -> Route {
        Route { page, params: Vec::new() }
    }

    /// Reads a location's fragment (`#/customers?q=li`, with or without the `#`). Anything that
    /// names no page is the customers list: an old bookmark never shows a blank page.
    pub fn parse(fragment: &str) -> Route {
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        let (path, query) = fragment.split_once('?').unwrap_or((fragment, ""));
        let Some(page) = Page::from_path(path) else { return Route::default() };
        let mut route = Route::of(page);
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            route.set(&key, &value);
        }
        route
    }

    /// The fragment, `#` included; parameters with empty values are left out.
    pub fn to_fragment(&self) -> String {
        let mut fragment = format!("#{}", self.page.path());
        let mut query = form_urlencoded::Serializer::new(String::new());
        let mut any = false;
        for (key, value) in self.params.iter().filter(|(_, v)| !v.is_empty()) {
            query.append_pair(key, value);
            any = true;
        }
        if any {
            fragment.push('?');
            fragment.push_str(&query.finish());
        }
        fragment
    }

    pub fn param(&self, key: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Sets (or, with an empty value, removes) a parameter.
    pub fn set(&mut self, key: &str, value: &str) {
        self.params.retain(|(k, _)| k != key);
        if !value.is_empty() {
            self.params.push((key.to_string(), value.to_string()));
        }
    }

    pub fn with_params(page: Page, params: Vec<(String, String)>) -> Route {
        let mut route = Route::of(page);
        for (key, value) in params {
            route.set(&key, &value);
        }
        route
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_survives_a_round_trip() {
        let pages = [
            Page::Customers,
            Page::Customer(4_294_967_297),
            Page::EditCustomer(Some(12)),
            Page::EditCustomer(None),
            Page::Dashboard,
            Page::ImportExport,
            Page::Tiers,
            Page::Analytics,
            Page::Reminders,
            Page::Settings,
        ];
        let mut paths = std::collections::HashSet::new();
        for page in pages {
            let route = Route::of(page);
            assert_eq!(Route::parse(&route.to_fragment()), route, "{page:?}");
            assert!(paths.insert(page.path()), "{page:?} shares its path");
        }
    }

    #[test]
    fn parameters_keep_spaces_chinese_and_ampersands() {
        let mut route = Route::of(Page::Customers);
        route.set("q", "李 & 王");
        route.set("city", "上海");
        let fragment = route.to_fragment();
        assert!(fragment.starts_with("#/customers?q="), "{fragment}");
        assert!(!fragment.contains(' ') && !fragment.contains("李"), "encoded: {fragment}");
        let back = Route::parse(&fragment);
        assert_eq!(back.param("q"), Some("李 & 王"));
        assert_eq!(back.param("city"), Some("上海"));
    }

    #[test]
    fn an_empty_value_removes_the_parameter() {
        let mut route = Route::parse("#/dashboard?as_of=2026-06-30");
        assert_eq!(route.param("as_of"), Some("2026-06-30"));
        route.set("as_of", "");
        assert_eq!(route.to_fragment(), "#/dashboard");
    }

    #[test]
    fn unknown_or_empty_fragments_show_the_list() {
        for fragment in ["", "#", "#/", "#/nowhere", "#/customers/abc", "#/customers/1/2/3", "plain"] {
            assert_eq!(Route::parse(fragment).page, Page::Customers, "{fragment}");
        }
        assert_eq!(Route::parse("/customers/7").page, Page::Customer(7), "without the #");
    }

    #[test]
    fn a_card_and_its_form_belong_to_the_list() {
        assert_eq!(Page::Customer(1).section(), Page::Customers);
        assert_eq!(Page::EditCustomer(None).section(), Page::Customers);
        assert_eq!(Page::Tiers.section(), Page::Tiers);
    }
}
