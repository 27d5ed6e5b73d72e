//! Tells other tabs of the same workbook which shards changed (BroadcastChannel), so they
//! re-read them. Writes themselves are guarded in storage: a stale edit is refused.

use wasm_bindgen::prelude::*;
use web_sys::{BroadcastChannel, MessageEvent};

pub struct TabSync {
    channel: BroadcastChannel,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl TabSync {
    pub fn listen(db_name: &str, on_change: impl Fn(Vec<usize>) + 'static) -> Option<std::rc::Rc<TabSync>> {
        let channel = BroadcastChannel::new(&format!("tierbook:{db_name}")).ok()?;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let shards: Vec<usize> = js_sys::Array::from(&event.data())
                .iter()
                .filter_map(|v| v.as_f64())
                .map(|v| v as usize)
                .filter(|s| *s < crate::domain::workbook::SHARD_COUNT)
                .collect();
            if !shards.is_empty() {
                on_change(shards);
            }
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Some(std::rc::Rc::new(TabSync { channel, _on_message: on_message }))
    }

    pub fn announce(&self, shards: &[usize]) {
        let list: js_sys::Array = shards.iter().map(|s| JsValue::from(*s as u32)).collect();
        // A tab that misses the message still sees the change on its next load.
        let _ = self.channel.post_message(&list);
    }
}
