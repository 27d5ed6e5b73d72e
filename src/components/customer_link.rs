//! A customer's name as a link to their card (a real link: it opens in a new tab too).

use leptos::prelude::*;

use crate::route::Page;
use crate::router::Navigator;
use crate::state::AppState;

pub fn customer_link(app: AppState, id: u64) -> impl IntoView {
    let name = app.workbook.with_untracked(|wb| wb.get(id).map(|r| r.customer.name.clone())).unwrap_or_default();
    view! { <a class="link" href=Navigator::href(Page::Customer(id))>{name}</a> }
}
