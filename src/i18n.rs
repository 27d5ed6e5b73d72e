//! Interface texts in 中文 and English. Pure: the UI asks for a key in a language.

use crate::domain::forms::{FieldError, Problem};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// The value for `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// (中文, English) for a key, or None for a key nobody defined.
pub fn lookup(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "app.title" => ("Tierbook 客户忠诚度工作簿", "Tierbook loyalty workbook"),
        "app.tagline" => ("数据只保存在本浏览器中", "Your data stays in this browser"),
        "nav.customers" => ("客户", "Customers"),
        "nav.dashboard" => ("概览", "Dashboard"),
        "nav.import-export" => ("导入导出", "Import & export"),
        "nav.tiers" => ("等级", "Tiers"),
        "nav.analytics" => ("分析", "Analytics"),
        "nav.reminders" => ("提醒", "Reminders"),
        "nav.settings" => ("设置", "Settings"),
        "lang.toggle" => ("English", "中文"),
        "common.save" => ("保存", "Save"),
        "common.cancel" => ("取消", "Cancel"),
        "common.edit" => ("编辑", "Edit"),
        "common.delete" => ("删除", "Delete"),
        "common.close" => ("关闭", "Close"),
        "common.loading" => ("正在打开工作簿…", "Opening the workbook…"),
        "common.none" => ("（无）", "(none)"),
        "common.all" => ("全部", "All"),
        "common.yes" => ("是", "Yes"),
        "common.no" => ("否", "No"),
        "list.search" => ("搜索姓名、电话、邮箱、标签、城市", "Search name, phone, email, tag, city"),
        "list.count" => ("位客户", "customers"),
        "list.new" => ("新建客户", "New customer"),
        "list.demo" => ("加载示例数据", "Load demo data"),
        "list.city" => ("城市", "City"),
        "list.tag" => ("标签", "Tag"),
        "list.status" => ("状态", "Status"),
        "list.no-match" => ("没有符合条件的客户。", "No customer matches."),
        "col.id" => ("编号", "No."),
        "col.name" => ("姓名", "Name"),
        "col.phone" => ("电话", "Phone"),
        "col.city" => ("城市", "City"),
        "col.spend" => ("累计消费", "Total spend"),
        "col.purchases" => ("购买次数", "Purchases"),
        "col.last" => ("最近购买", "Last purchase"),
        "col.since" => ("成为客户", "Customer since"),
        "empty.title" => ("工作簿还是空的", "The workbook is empty"),
        "empty.step1" => ("点击“新建客户”录入第一位客户；", "Click “New customer” to enter your first customer;"),
        "empty.step2" => ("或点击“加载示例数据”先看看效果；", "or “Load demo data” to look around first;"),
        "empty.step3" => {
            ("已有 Excel 表格？在“导入导出”中导入。", "have an Excel sheet? Bring it in under “Import & export”.")
        }
        "status.new" => ("新客户", "New"),
        "status.active" => ("活跃", "Active"),
        "status.quiet" => ("沉寂", "Quiet"),
        "status.lapsed" => ("流失风险", "Lapsed"),
        "field.name" => ("姓名", "Name"),
        "field.gender" => ("性别", "Gender"),
        "field.birthday" => ("生日", "Birthday"),
        "field.occupation" => ("职业", "Occupation"),
        "field.phone" => ("电话", "Phone"),
        "field.email" => ("邮箱", "Email"),
        "field.wechat" => ("微信", "WeChat"),
        "field.city" => ("城市", "City"),
        "field.address" => ("地址", "Address"),
        "field.hobbies" => ("兴趣爱好", "Hobbies"),
        "field.special-needs" => ("特殊需求", "Special needs"),
        "field.tags" => ("标签（用逗号分隔）", "Tags (comma separated)"),
        "field.notes" => ("备注", "Notes"),
        "field.customer-since" => ("成为客户日期", "Customer since"),
        "field.source" => ("来源渠道", "Source / channel"),
        "field.referred-by" => ("推荐人编号", "Referred by (customer no.)"),
        "field.account-manager" => ("客户经理", "Account manager"),
        "field.influence" => ("影响力评分 (0–5)", "Influence score (0–5)"),
        "field.marketing-consent" => ("同意接收营销信息", "Agrees to marketing"),
        "field.consent-date" => ("同意日期", "Consent date"),
        "field.date" => ("日期", "Date"),
        "field.product" => ("产品/服务", "Product / service"),
        "field.category" => ("类别", "Category"),
        "field.quantity" => ("数量", "Quantity"),
        "field.amount" => ("金额", "Amount"),
        "field.payment" => ("支付方式", "Payment method"),
        "field.channel" => ("渠道/门店", "Channel / store"),
        "field.score" => ("满意度 (1–5)", "Satisfaction (1–5)"),
        "field.nps" => ("推荐意愿 NPS (0–10)", "NPS (0–10)"),
        "field.comment" => ("评价内容", "Comment"),
        "field.handled" => ("已处理", "Handled"),
        "field.kind" => ("类型", "Kind"),
        "field.summary" => ("内容摘要", "Summary"),
        "field.status" => ("结果/状态", "Outcome / status"),
        "field.staff" => ("经办人", "Staff"),
        "field.follow-up" => ("跟进日期", "Follow-up date"),
        "field.campaign" => ("活动", "Campaign"),
        "field.response" => ("参与情况", "Response"),
        "field.result" => ("效果", "Result"),
        "gender." => ("未填写", "Not given"),
        "gender.female" => ("女", "Female"),
        "gender.male" => ("男", "Male"),
        "gender.other" => ("其他", "Other"),
        "kind.call" => ("电话", "Call"),
        "kind.email" => ("邮件", "Email"),
        "kind.wechat" => ("微信", "WeChat"),
        "kind.visit" => ("拜访", "Visit"),
        "kind.consultation" => ("咨询", "Consultation"),
        "kind.complaint" => ("投诉", "Complaint"),
        "kind.after-sales" => ("售后", "After-sales"),
        "response.invited" => ("已邀请", "Invited"),
        "response.joined" => ("已参与", "Joined"),
        "response.redeemed" => ("已兑换", "Redeemed"),
        "form.new-title" => ("新建客户", "New customer"),
        "form.edit-title" => ("编辑客户", "Edit customer"),
        "form.basic" => ("基本信息", "Basic information"),
        "form.more" => ("关系与偏好", "Relationship and preferences"),
        "form.custom" => ("自定义字段", "Custom fields"),
        "card.basic" => ("基本信息", "Basic information"),
        "card.history" => ("往来记录", "History"),
        "card.notes" => ("备注", "Notes"),
        "card.purchases" => ("购买记录", "Purchases"),
        "card.feedback" => ("满意度与反馈", "Satisfaction and feedback"),
        "card.interactions" => ("服务与沟通记录", "Service and contact log"),
        "card.campaigns" => ("营销活动参与", "Campaign participation"),
        "card.add-purchase" => ("添加购买", "Add purchase"),
        "card.add-feedback" => ("添加反馈", "Add feedback"),
        "card.add-interaction" => ("添加沟通记录", "Add contact"),
        "card.add-campaign" => ("添加活动参与", "Add campaign"),
        "card.totals" => ("累计", "Totals"),
        "card.back" => ("返回列表", "Back to list"),
        "card.not-found" => {
            ("找不到这位客户，可能已被删除。", "This customer no longer exists; it may have been deleted.")
        }
        "card.confirm-delete" => (
            "删除这位客户及其全部购买、反馈和沟通记录？此操作无法撤销。",
            "Delete this customer and all of their purchases, feedback and contacts? This cannot be undone.",
        ),
        "card.show-all" => ("显示全部", "Show all"),
        "card.none-yet" => ("暂无记录", "Nothing yet"),
        "card.referred-by" => ("推荐人", "Referred by"),
        "card.consent-yes" => ("同意营销", "Agrees to marketing"),
        "card.consent-no" => ("未同意营销", "No marketing consent"),
        "settings.title" => ("设置", "Settings"),
        "settings.storage" => ("存储空间", "Storage"),
        "settings.used" => ("已用", "Used"),
        "settings.quota" => ("可用上限", "Quota"),
        "settings.persisted" => (
            "浏览器已授予持久存储：数据不会被自动清理。",
            "The browser granted persistent storage: it will not evict this data.",
        ),
        "settings.not-persisted" => (
            "浏览器尚未授予持久存储：空间紧张时数据可能被清理，请定期导出备份。",
            "Persistent storage not granted: the browser may evict data when space is short, so export backups.",
        ),
        "settings.custom-fields" => ("自定义字段", "Custom fields"),
        "settings.custom-help" => ("为每张客户卡片添加额外的字段。", "Add your own fields to every customer card."),
        "settings.field-label" => ("字段名称", "Field name"),
        "settings.field-kind" => ("类型", "Type"),
        "settings.field-options" => ("选项（用逗号分隔）", "Options (comma separated)"),
        "settings.add-field" => ("添加字段", "Add field"),
        "settings.kind.text" => ("文本", "Text"),
        "settings.kind.number" => ("数字", "Number"),
        "settings.kind.date" => ("日期", "Date"),
        "settings.kind.choice" => ("选项", "Choice"),
        "settings.scale" => ("规模测试", "Scale test"),
        "settings.scale-help" => (
            "生成大量示例客户，检验本浏览器能否应付您的数据量。",
            "Generate many sample customers to see how this browser copes with your volume.",
        ),
        "settings.scale-run" => ("生成", "Generate"),
        "settings.scale-customers" => ("客户数", "Customers"),
        "settings.scale-purchases" => ("购买记录数", "Purchases"),
        "settings.wrote" => ("写入耗时（毫秒）", "Write time (ms)"),
        "settings.clear" => ("清空工作簿", "Empty the workbook"),
        "settings.confirm-clear" => (
            "删除本浏览器中的全部客户数据？此操作无法撤销。",
            "Delete every customer in this browser? This cannot be undone.",
        ),
        "dashboard.customers" => ("客户总数", "Customers"),
        "dashboard.purchases" => ("购买记录", "Purchases"),
        "dashboard.revenue" => ("累计消费", "Total spend"),
        "dashboard.by-status" => ("按状态", "By status"),
        "later.title" => ("即将推出", "Coming soon"),
        "later.body" => ("此页面将在后续版本中提供。", "This page arrives in a later release."),
        "error.field" => ("请检查", "Please check"),
        "error.storage" => ("保存失败，数据未更改", "Could not save; nothing was changed"),
        "error.open" => ("无法打开本地数据库", "Could not open the local database"),
        "error.changed-elsewhere" => (
            "此记录已在另一个标签页中被修改，已重新载入最新内容，请再修改一次。",
            "This record was changed in another tab; the newest version was loaded, please make your change again.",
        ),
        "error.customer-missing" => ("这位客户已在另一个标签页中被删除。", "This customer was deleted in another tab."),
        "error.number-taken" => {
            ("客户编号已被占用，请重试。", "That customer number is already taken; please try again.")
        }
        "problem.required" => ("必填", "is required"),
        "problem.too-long" => ("太长，最多字符数", "is too long; maximum characters"),
        "problem.phone" => (
            "电话号码格式不正确（5–20 位数字，可含 + - 空格 括号）",
            "is not a phone number (5–20 digits; + - spaces and brackets allowed)",
        ),
        "problem.email" => {
            ("邮箱格式不正确（例如 name@example.com）", "is not an email address (like name@example.com)")
        }
        "problem.date" => ("不是有效日期（格式 YYYY-MM-DD）", "is not a valid date (YYYY-MM-DD)"),
        "problem.future" => ("不能晚于今天", "cannot be in the future"),
        "problem.before" => ("不能早于", "cannot be before"),
        "problem.number" => ("应为数字", "must be a number"),
        "problem.negative" => ("不能为负数", "cannot be negative"),
        "problem.positive" => ("应大于 0", "must be more than 0"),
        "problem.range" => ("应在以下范围内", "must be between"),
        "problem.choice" => ("不是可选的值", "is not one of the choices"),
        _ => return None,
    })
}

/// The text for `key` in `lang`; an unknown key shows as itself (and fails a test, see below).
pub fn tr(lang: Lang, key: &str) -> &'static str {
    match (lookup(key), lang) {
        (Some((zh, _)), Lang::Zh) => zh,
        (Some((_, en)), Lang::En) => en,
        (None, _) => "?",
    }
}

/// "Phone: is not a phone number …" in the current language.
pub fn field_error(lang: Lang, error: &FieldError, custom_label: Option<&str>) -> String {
    let label =
        custom_label.map(str::to_string).unwrap_or_else(|| tr(lang, &format!("field.{}", error.field)).to_string());
    let problem = match &error.problem {
        Problem::Required => tr(lang, "problem.required").to_string(),
        Problem::TooLong(max) => format!("{} {max}", tr(lang, "problem.too-long")),
        Problem::InvalidPhone => tr(lang, "problem.phone").to_string(),
        Problem::InvalidEmail => tr(lang, "problem.email").to_string(),
        Problem::InvalidDate => tr(lang, "problem.date").to_string(),
        Problem::InFuture => tr(lang, "problem.future").to_string(),
        Problem::BeforeDate(date) => format!("{} {date}", tr(lang, "problem.before")),
        Problem::NotANumber => tr(lang, "problem.number").to_string(),
        Problem::Negative => tr(lang, "problem.negative").to_string(),
        Problem::NotPositive => tr(lang, "problem.positive").to_string(),
        Problem::OutOfRange(min, max) => format!("{} {min}–{max}", tr(lang, "problem.range")),
        Problem::UnknownChoice => tr(lang, "problem.choice").to_string(),
    };
    let sep = if lang == Lang::Zh { "：" } else { ": " };
    format!("{label}{sep}{problem}")
}

/// Every field error of a form, one line each; custom fields are named by their labels.
pub fn field_errors(lang: Lang, errors: &[FieldError], defs: &[crate::domain::model::CustomFieldDef]) -> String {
    let lines: Vec<String> = errors
        .iter()
        .map(|e| {
            let custom = e.field.strip_prefix("custom-").and_then(|id| defs.iter().find(|d| d.id == id));
            field_error(lang, e, custom.map(|d| d.label.as_str()))
        })
        .collect();
    format!("{}\n{}", tr(lang, "error.field"), lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `tr(…, "key")` in the sources names a key that has both translations.
    #[test]
    fn every_key_used_in_the_sources_is_translated() {
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
        let mut seen = 0;
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let calls = text.match_indices("t(\"").chain(text.match_indices("tr(lang, \""));
            // Only whole-word calls to `t`/`tr`, not `text("…")` and the like.
            for (i, _) in calls.filter(|(i, _)| !text[..*i].ends_with(|c: char| c.is_alphanumeric() || c == '_')) {
                let rest = &text[i..];
                let start = rest.find('"').unwrap() + 1;
                let end = start + rest[start..].find('"').unwrap();
                let key = &rest[start..end];
                seen += 1;
                match lookup(key) {
                    Some((zh, en)) if !zh.is_empty() && !en.is_empty() => {}
                    _ => missing.push(format!("{}: {key}", path.display())),
                }
            }
        }
        assert!(seen > 20, "the scan found the keys in use");
        assert!(missing.is_empty(), "untranslated keys: {missing:?}");
    }

    #[test]
    fn field_errors_read_naturally_in_both_languages() {
        let e = FieldError { field: "phone".into(), problem: Problem::InvalidPhone };
        assert!(field_error(Lang::En, &e, None).starts_with("Phone: is not a phone number"));
        assert!(field_error(Lang::Zh, &e, None).starts_with("电话：电话号码格式不正确"));
        let r = FieldError { field: "influence".into(), problem: Problem::OutOfRange(0, 5) };
        assert_eq!(field_error(Lang::En, &r, None), "Influence score (0–5): must be between 0–5");
        let c = FieldError { field: "custom-size".into(), problem: Problem::UnknownChoice };
        assert_eq!(field_error(Lang::En, &c, Some("Size")), "Size: is not one of the choices");
    }

    #[test]
    fn unknown_keys_are_visible_not_silent() {
        assert_eq!(tr(Lang::En, "no.such.key"), "?");
        assert_eq!(tr(Lang::Zh, "nav.customers"), "客户");
        assert_eq!(Lang::Zh.other(), Lang::En);
    }
}
