//! One chart: charming draws it through the ECharts shipped with the page; the same numbers
//! are offered as a table underneath for people who would rather read. The chart is drawn
//! again when its data or the language change, and disposed when the page closes.

use std::sync::atomic::{AtomicU32, Ordering};

use charming::{Chart, Echarts, WasmRenderer};
use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::state::use_app;

static NEXT_ID: AtomicU32 = AtomicU32::new(0);

thread_local! {
    /// ECharts (1 MB, ~330 KB gzip) is fetched when the first chart opens, not with the page:
    /// one `<script>` for all charts, its loading shared. The service worker keeps it offline.
    static ECHARTS: std::cell::RefCell<Option<js_sys::Promise>> = const { std::cell::RefCell::new(None) };
}

fn echarts_present() -> bool {
    js_sys::Reflect::has(&window(), &"echarts".into()).unwrap_or(false)
}

/// Resolves once ECharts is there (at once if it already is).
async fn load_echarts() -> bool {
    if echarts_present() {
        return true;
    }
    let promise = ECHARTS.with(|cell| {
        cell.borrow_mut()
            .get_or_insert_with(|| {
                js_sys::Promise::new(&mut |resolve, reject| {
                    let Ok(script) = document().create_element("script") else { return };
                    let _ = script.set_attribute("src", "echarts.min.js");
                    if let Ok(script) = script.dyn_into::<web_sys::HtmlElement>() {
                        script.set_onload(Some(resolve.unchecked_ref()));
                        script.set_onerror(Some(reject.unchecked_ref()));
                        if let Some(body) = document().body() {
                            let _ = body.append_child(&script);
                        }
                    }
                })
            })
            .clone()
    });
    let loaded = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() && echarts_present();
    if !loaded {
        // Offline before it was ever cached: the next chart tries again.
        ECHARTS.with(|cell| cell.borrow_mut().take());
    }
    loaded
}

/// Gives ECharts the chart's options. An exception ECharts throws (as some versions do for a
/// series with nothing in it) is caught here: uncaught, it would unwind through the wasm and
/// stop the app. The table under the chart still shows the numbers.
fn set_options(instance: &Echarts, chart: &Chart) -> bool {
    let Ok(json) = serde_json::to_string(chart) else { return false };
    let Ok(options) = js_sys::JSON::parse(&json) else { return false };
    let value: &JsValue = instance.as_ref();
    let Ok(set_option) = js_sys::Reflect::get(value, &"setOption".into()) else { return false };
    let Some(set_option) = set_option.dyn_ref::<js_sys::Function>() else { return false };
    set_option.call1(value, &options).is_ok()
}

fn dispose(instance: &Echarts) {
    let value: &JsValue = instance.as_ref();
    if let Ok(dispose) = js_sys::Reflect::get(value, &"dispose".into()) {
        if let Some(dispose) = dispose.dyn_ref::<js_sys::Function>() {
            let _ = dispose.call0(value);
        }
    }
}

#[component]
pub fn ChartBox(
    /// `data-testid` of the box (holds the canvas and the table).
    testid: &'static str,
    /// i18n key of the title.
    title: &'static str,
    /// The chart to draw; None while there is nothing to draw yet.
    #[prop(into)]
    chart: Signal<Option<Chart>>,
    /// The table of the numbers.
    children: Children,
) -> impl IntoView {
    let app = use_app();
    let id = format!("chart-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let node = NodeRef::<Div>::new();
    let instance = StoredValue::new_local(None::<Echarts>);
    let element_id = id.clone();
    let ready = RwSignal::new(echarts_present());
    if !ready.get_untracked() {
        leptos::task::spawn_local(async move {
            if load_echarts().await {
                ready.try_set(true);
            }
        });
    }
    Effect::new(move |_| {
        let (Some(chart), Some(_), true) = (chart.get(), node.get(), ready.get()) else { return };
        // Without animation a chart of 100,000 customers' figures is drawn in one frame.
        let chart = chart.animation(false);
        let drawn = instance.with_value(|existing| existing.as_ref().map(|e| set_options(e, &chart)).is_some());
        if !drawn {
            // Created empty (nothing that can throw), then given the options.
            if let Ok(created) = WasmRenderer::new_opt(None, None).render(&element_id, &Chart::new()) {
                set_options(&created, &chart);
                instance.set_value(Some(created));
            }
        }
    });
    on_cleanup(move || {
        instance.with_value(|existing| existing.iter().for_each(dispose));
    });
    view! {
        <figure class="chart-box" data-testid=testid>
            <h3>{move || app.t(title)}</h3>
            <div class="chart" id=id node_ref=node></div>
            <details class="chart-table">
                <summary>{move || app.t("chart.as-table")}</summary>
                {children()}
            </details>
        </figure>
    }
}
