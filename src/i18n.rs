//! Interface texts in 中文 and English. Pure: the UI asks for a key in a language.

use crate::domain::backup::BackupProblem;
use crate::domain::forms::{FieldError, Problem};
use crate::domain::import::{RowIssue, RowProblem};
use crate::domain::insights::{Rules, Stage, Warning};
use crate::domain::money::format_grouped;
use crate::domain::sheet::FileProblem;
use crate::domain::tiers::{Evidence, Metric, PolicyError, Reason, RuleMode, TierDef, TierPolicy};

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
        "col.id" => ("客户编号", "Code"),
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
        "import.title" => ("导入与导出", "Import & export"),
        "import.export" => ("导出", "Export"),
        "import.export-help" => (
            "JSON 备份包含整个工作簿（客户、全部记录、等级规则与历史、积分、自定义字段），可原样恢复或与同事合并。CSV 为 UTF-8（带 BOM），Excel 与 WPS 可直接打开中文。",
            "The JSON backup holds the whole workbook (customers, every record, tier policy and history, points, custom fields) and restores it exactly or merges into a colleague's. CSV files are UTF-8 with BOM, so Excel and WPS open Chinese text correctly.",
        ),
        "import.workbook-name" => ("工作簿名称（用于文件名）", "Workbook name (used in file names)"),
        "import.export-json" => ("导出 JSON 备份", "Export JSON backup"),
        "import.import" => ("导入", "Import"),
        "import.import-help" => (
            "支持 JSON 备份、CSV（逗号、分号、制表符或竖线分隔；UTF-8、UTF-16 或 GBK 编码，自动识别）以及 Excel/WPS（.xlsx、.xls）和 .ods 表格。表头上方的账户信息会自动跳过。写入前会先预览并列出所有问题。",
            "Imports a JSON backup, a CSV file (comma, semicolon, tab or bar separated; UTF-8, UTF-16 or GBK, detected automatically) or an Excel/WPS (.xlsx, .xls) or .ods spreadsheet. Account information above the headings is passed over. You see a preview and every problem before anything is written.",
        ),
        "import.kind" => ("文件内容", "File holds"),
        "import.kind.customers" => ("客户", "Customers"),
        "import.kind.purchases" => ("购买记录", "Purchases"),
        "import.kind.feedback" => ("满意度与反馈", "Feedback"),
        "import.kind.interactions" => ("服务与沟通记录", "Interactions"),
        "import.kind.campaigns" => ("活动参与", "Campaign participation"),
        "import.kind.backup" => ("JSON 备份", "JSON backup"),
        "import.encoding" => ("编码", "Encoding"),
        "import.encoding.auto" => ("自动识别", "Detect"),
        "import.match" => ("按以下顺序匹配已有客户", "Match existing customers by"),
        "import.match.id-phone-email" => ("客户编号 → 电话 → 邮箱", "code → phone → email"),
        "import.match.id" => ("仅客户编号", "code only"),
        "import.match.phone-email" => ("电话 → 邮箱", "phone → email"),
        "import.match.off" => ("不匹配（全部新建）", "do not match (always new)"),
        "import.file" => ("选择文件", "Choose a file"),
        "import.reading" => ("正在读取…", "Reading…"),
        "import.detected" => ("识别为", "Read as"),
        "import.rows" => ("行", "rows"),
        "import.mapping" => ("列对应", "Columns"),
        "import.ignore" => ("（忽略）", "(ignore)"),
        "import.custom" => ("自定义字段", "Custom field"),
        "import.preview" => ("预览（按保存后的样子显示前 20 行）", "Preview (the first 20 rows as they will be stored)"),
        "import.line" => ("行号", "Line"),
        "import.problems" => ("发现的问题", "Problems found"),
        "import.more-problems" => ("还有更多问题，见下载的被拒行文件", "more problems: see the rejected rows file"),
        "import.will" => ("将新建", "Will create"),
        "import.will-update" => ("更新", "update"),
        "import.will-skip" => ("跳过", "skip"),
        "import.commit" => ("导入", "Import"),
        "import.commit-valid" => ("只导入有效行", "Import the valid rows"),
        "import.cancel" => ("不导入", "Import nothing"),
        "import.rejected" => ("下载被拒绝的行", "Download the rejected rows"),
        "import.rejected-problem" => ("问题", "Problem"),
        "import.done" => ("导入完成", "Imported"),
        "import.created" => ("新建", "created"),
        "import.updated" => ("更新", "updated"),
        "import.skipped" => ("跳过", "skipped"),
        "import.undo" => ("撤销这次导入", "Undo this import"),
        "import.undone" => ("已撤销，工作簿恢复到导入前的状态。", "Undone: the workbook is back as it was before the import."),
        "import.nothing" => ("没有可导入的内容。", "Nothing to import."),
        "import.conflicts" => ("合并冲突（较新的修改已保留，被替换的值列在这里）", "Merge conflicts (the newer change was kept; the values it replaced are listed here)"),
        "import.conflict-kept" => ("保留", "Kept"),
        "import.conflict-replaced" => ("被替换", "Replaced"),
        "import.dismiss" => ("知道了", "Dismiss"),
        "import.restore" => ("工作簿为空：将原样恢复备份（含等级规则与自定义字段）。", "The workbook is empty: the backup will be restored as it is (tier policy and custom fields included)."),
        "import.merge" => ("将与当前工作簿合并：按编号匹配，双方都改过的以较新的为准。", "Will merge into this workbook: records match by number; where both sides changed one, the newer change wins."),
        "import.at-line" => ("第 {line} 行", "line {line}"),
        "import.at-column" => ("第 {column} 列“{heading}”", "column {column} “{heading}”"),
        "import.cells" => ("应有 {expected} 个单元格，实际 {found} 个", "expected {expected} cells, found {found}"),
        "import.unclosed" => ("此处开始的引号一直没有闭合（延续到第 {line} 行）", "a quote opened here is never closed (it runs on to line {line})"),
        "import.no-customer" => ("工作簿中没有与此客户编号、电话或姓名对应的客户（勾选“创建未知客户”可按编号新建）", "no customer in the workbook has this customer code, phone or name (tick “create unknown customers” to create them by code)"),
        "import.ambiguous" => ("有 {count} 位客户同名，请提供客户编号或电话", "{count} customers have this name; give the customer number or phone"),
        "import.duplicate" => ("与第 {line} 行是同一位客户（只导入第一行）", "same customer as line {line} (only the first is imported)"),
        "file.empty" => ("文件是空的", "the file is empty"),
        "file.binary" => ("这不是文本文件或电子表格（需要 CSV、JSON、.xlsx、.xls 或 .ods）", "this is not a text file or a spreadsheet (a CSV, JSON, .xlsx, .xls or .ods file is expected)"),
        "file.not-decodable" => ("内容不是有效的 {encoding} 编码，请换一种编码", "the bytes are not valid {encoding}; choose another encoding"),
        "file.header-only" => ("只有标题行，没有数据行", "there is a header line but no rows under it"),
        "file.no-header" => ("第 1 行不是列标题", "line 1 is not a row of column headings"),
        "file.not-json" => ("第 {line} 行第 {column} 列：不是有效的 JSON（文件可能不完整）", "line {line}, column {column}: not valid JSON (the file may be cut short)"),
        "file.not-backup" => ("这不是 Tierbook 备份文件", "this is not a Tierbook backup"),
        "file.other-version" => ("这是另一版本的 Tierbook 备份（格式 {version}），本版本读取格式 1 至 2", "this backup comes from another version of Tierbook (format {version}); this one reads formats 1 to 2"),
        "file.invalid" => ("第 {line} 行第 {column} 列：{message}", "line {line}, column {column}: {message}"),
        "file.duplicate-customer" => ("客户编号 {id} 出现了不止一次", "customer number {id} appears more than once"),
        "file.invalid-value" => ("客户 {id} 的“{field}”：{problem}（文件可能被改动或损坏）", "customer {id}, “{field}”: {problem} (the file may have been edited or damaged)"),
        "file.invalid-policy" => ("其中的等级规则无效", "the tier policy in it is not valid"),
        "file.too-big" => ("文件超过 100 MB", "the file is larger than 100 MB"),
        "analytics.as-of" => ("分析截至日期", "Analysis as of"),
        "analytics.computing" => ("正在计算…", "Working it out…"),
        "analytics.feedback" => ("满意度与 NPS", "Satisfaction and NPS"),
        "analytics.feedback-help" => ("截至日期前 12 个月内的反馈。NPS = 推荐者（9–10 分）占比 − 贬损者（0–6 分）占比。", "Feedback in the 12 months up to the date. NPS = % promoters (9–10) − % detractors (0–6)."),
        "analytics.satisfaction" => ("平均满意度 (1–5)", "Average satisfaction (1–5)"),
        "analytics.nps" => ("NPS", "NPS"),
        "analytics.responses" => ("反馈数", "Responses"),
        "analytics.promoters" => ("推荐者", "Promoters"),
        "analytics.passives" => ("被动者", "Passives"),
        "analytics.detractors" => ("贬损者", "Detractors"),
        "analytics.bgnbd" => ("流失预测模型 BG/NBD", "Churn model (BG/NBD)"),
        "analytics.bgnbd-help" => ("按截至日期前的购买记录以最大似然拟合（时间单位：周；同一天的多次购买算一次）。", "Fitted by maximum likelihood on the purchases up to the date (weeks; purchases on one day count once)."),
        "analytics.r" => ("r", "r"),
        "analytics.alpha" => ("α", "α"),
        "analytics.a" => ("a", "a"),
        "analytics.b" => ("b", "b"),
        "analytics.ll" => ("对数似然", "Log-likelihood"),
        "analytics.segments" => ("RFM 客户分群", "RFM segments"),
        "analytics.segment" => ("分群", "Segment"),
        "analytics.count" => ("客户数", "Customers"),
        "analytics.classes" => ("客户价值分类", "Value classes"),
        "analytics.at-risk" => ("可能已流失的客户", "Customers probably slipping away"),
        "analytics.at-risk-help" => ("模型估计仍活跃的概率低于 50% 的客户，按累计消费排序", "Customers the model gives under 50% chance of still being active, most spent first"),
        "analytics.p-alive" => ("仍活跃概率", "P(active)"),
        "analytics.spend" => ("累计消费", "Spend"),
        "segment.champions" => ("冠军客户", "Champions"),
        "segment.loyal" => ("忠诚客户", "Loyal"),
        "segment.potential-loyalist" => ("潜在忠诚客户", "Potential loyalists"),
        "segment.new" => ("新客户", "New"),
        "segment.promising" => ("有潜力客户", "Promising"),
        "segment.need-attention" => ("需要关注", "Need attention"),
        "segment.about-to-sleep" => ("即将沉睡", "About to sleep"),
        "segment.at-risk" => ("有流失风险", "At risk"),
        "segment.cant-lose" => ("不能失去", "Can't lose them"),
        "segment.hibernating" => ("沉睡客户", "Hibernating"),
        "segment.lost" => ("已流失", "Lost"),
        "class.core" => ("核心客户", "Core"),
        "class.important" => ("重要客户", "Important"),
        "class.ordinary" => ("普通客户", "Ordinary"),
        "field.consent-source" => ("同意来源", "Consent source"),
        "reminders.reviews-due" => ("位客户到期评级", "customers due for their tier review"),
        "analytics.scope" => ("分析范围", "Analyse"),
        "analytics.scope-all" => ("全部客户", "All customers"),
        "lock.title" => ("工作簿已加密锁定", "This workbook is locked"),
        "lock.help" => ("请输入口令以打开。口令错误不会泄露或改动任何数据。", "Enter the passphrase to open it. A wrong one reveals and changes nothing."),
        "lock.open" => ("打开", "Open"),
        "lock.wrong" => ("口令不正确，数据未打开，也未做任何更改。", "Wrong passphrase: nothing was opened and nothing was changed."),
        "lock.settings" => ("工作簿加密锁", "Workbook lock"),
        "lock.warning" => ("加密后，本浏览器中保存的所有客户数据都用口令加密（AES-256-GCM，PBKDF2-SHA256 60 万次迭代）。忘记口令将无法恢复任何数据——请先导出 JSON 备份并妥善保管口令。", "Locking encrypts every customer record stored in this browser with your passphrase (AES-256-GCM, PBKDF2-SHA256 with 600,000 iterations). A forgotten passphrase cannot be recovered, and neither can the data: export a JSON backup first and keep the passphrase safe."),
        "lock.is-on" => ("已加密：每次打开页面都需要输入口令。", "Locked: the page asks for the passphrase each time it opens."),
        "lock.is-off" => ("未加密。", "Not locked."),
        "lock.passphrase" => ("口令（至少 8 个字符）", "Passphrase (8 characters or more)"),
        "lock.confirm" => ("再次输入口令", "Passphrase again"),
        "lock.enable" => ("加密锁定", "Lock the workbook"),
        "lock.remove" => ("解除加密", "Remove the lock"),
        "lock.done" => ("已完成。", "Done."),
        "lock.too-short" => ("口令：至少需要 8 个字符", "Passphrase: must be 8 characters or more"),
        "lock.mismatch" => ("再次输入口令：与第一次输入的不一致", "Passphrase again: does not match the first"),
        "card.print" => ("打印客户卡", "Print card"),
        "export.consenting-only" => ("CSV 只导出同意营销的客户", "CSV: only customers who agreed to marketing"),
        "list.consenting" => ("仅同意营销", "Consented to marketing"),
        "privacy.title" => ("隐私与记录", "Privacy and record of changes"),
        "privacy.withdraw" => ("撤回营销同意", "Withdraw marketing consent"),
        "privacy.export" => ("导出该客户的全部数据 (JSON)", "Export this customer's data (JSON)"),
        "privacy.erase" => ("彻底删除该客户", "Erase this customer"),
        "privacy.erase-confirm" => ("将删除该客户及其全部购买、反馈、服务记录、积分与等级历史，其他客户资料中对其的引用也会清除，只在日志中留下匿名记录。此操作无法撤销。", "This removes the customer and every purchase, feedback, contact, point and tier record of theirs, and the mention of them in other files, leaving only an anonymous note in the log. It cannot be undone."),
        "privacy.audit" => ("修改记录", "Audit trail"),
        "privacy.when" => ("时间", "When"),
        "privacy.what" => ("内容", "What"),
        "privacy.before" => ("修改前", "Before"),
        "privacy.after" => ("修改后", "After"),
        "reminders.title" => ("今日提醒", "Today"),
        "reminders.greeting-default" => ("{name}，您好！祝您生日快乐，感谢一直以来的支持。您目前是{tier}会员，积分 {points}。", "Dear {name}, happy birthday and thank you for being with us. You are a {tier} member with {points} points."),
        "reminders.turns" => ("满", "turns"),
        "reminders.years" => ("周年", "years"),
        "reminders.last-changed" => ("上次修改", "last changed"),
        "reminder.follow-up" => ("待跟进", "Follow-up"),
        "reminder.birthday" => ("生日", "Birthday"),
        "reminder.anniversary" => ("成为客户周年", "Customer anniversary"),
        "reminder.tier-review" => ("等级评定", "Tier review"),
        "reminder.at-risk" => ("流失风险", "At risk"),
        "reminder.data-review" => ("资料待复核", "Record to review"),
        "reminders.days-ahead" => ("提前", "Look ahead"),
        "reminders.7" => ("7 天", "7 days"),
        "reminders.14" => ("14 天", "14 days"),
        "reminders.30" => ("30 天", "30 days"),
        "reminders.data-review" => ("资料复核周期", "Review records"),
        "reminders.monthly" => ("每月", "monthly"),
        "reminders.quarterly" => ("每季度", "quarterly"),
        "reminders.off" => ("关闭", "off"),
        "reminders.backup-every" => ("备份提醒", "Backup reminder"),
        "reminders.export-ics" => ("导出到日历 (.ics)", "Export to calendar (.ics)"),
        "reminders.backup-never" => ("还没有导出过 JSON 备份。数据只存在本浏览器中，请定期备份。", "No JSON backup has been exported yet. The data lives only in this browser: back it up regularly."),
        "reminders.backup-age" => ("上次 JSON 备份是", "The last JSON backup was"),
        "reminders.days-ago" => ("天前。", "days ago."),
        "reminders.backup-now" => ("去备份", "Back up now"),
        "reminders.storage-used" => ("已用存储", "Storage used"),
        "reminders.persisted" => ("浏览器已承诺长期保存", "the browser promised to keep it"),
        "reminders.not-persisted" => ("浏览器未承诺长期保存（空间紧张时可能被清除）", "not promised to be kept (the browser may clear it when space runs low)"),
        "reminders.open" => ("待处理", "To do"),
        "reminders.copied" => ("已复制祝福语：", "Greeting copied for"),
        "reminders.due" => ("日期", "Due"),
        "reminders.what" => ("事项", "What"),
        "reminders.detail" => ("说明", "Detail"),
        "reminders.greeting" => ("祝福语", "Greeting"),
        "reminders.done" => ("完成", "Done"),
        "reminders.snooze" => ("7 天后再提醒", "Snooze 7 days"),
        "reminders.dismiss" => ("忽略", "Dismiss"),
        "reminders.templates" => ("祝福语模板", "Greeting templates"),
        "reminders.templates-help" => ("可用占位符：{name} 姓名、{tier} 等级、{points} 积分。", "Placeholders: {name}, {tier}, {points}."),
        "chart.as-table" => ("以表格查看数字", "The numbers as a table"),
        "chart.no-tier" => ("未评级", "No tier"),
        "chart.before" => ("之前", "before"),
        "chart.now" => ("现在", "now"),
        "chart.tiers" => ("各等级客户数", "Customers per tier"),
        "chart.movements" => ("上次评级以来的等级变动", "Tier movements since the last review"),
        "chart.movements-since" => ("比较起点：", "Compared with:"),
        "chart.spend-by-tier" => ("各等级月度消费（元）", "Monthly spend by tier (¥)"),
        "chart.month" => ("月份", "Month"),
        "chart.feedback-trend" => ("满意度与 NPS 趋势", "Satisfaction and NPS trend"),
        "chart.rfm" => ("RFM 分布图（近度 × 频次）", "RFM map (recency × frequency)"),
        "chart.recency-score" => ("近度得分 R", "Recency score R"),
        "chart.frequency-score" => ("频次得分 F", "Frequency score F"),
        "chart.churn-risk" => ("流失风险分布（仍活跃概率）", "Churn risk (probability still active)"),
        "chart.lifecycle" => ("生命周期漏斗", "Lifecycle funnel"),
        "chart.stage" => ("阶段", "Stage"),
        "chart.reviews" => ("即将到期的等级评定（按周）", "Upcoming tier reviews (by week)"),
        "chart.week-from" => ("自该日起一周", "Week from"),
        "chart.model-pending" => ("模型计算中…", "The model is being fitted…"),
        "stage.prospect" => ("尚未购买", "No purchase yet"),
        "stage.new" => ("新客户", "New"),
        "stage.growing" => ("成长期", "Growing"),
        "stage.mature" => ("成熟期", "Mature"),
        "stage.won-back" => ("已挽回", "Won back"),
        "stage.at-risk" => ("有流失风险", "At risk"),
        "stage.lost" => ("已流失", "Lost"),
        "analytics.tone" => ("评论语气", "Tone of comments"),
        "analytics.tone-help" => ("按情感词典判断；服务记录中的投诉一律计为负面。", "Judged with a word list; complaints from the service log always count as negative."),
        "tone.positive" => ("正面", "Positive"),
        "tone.neutral" => ("中性", "Neutral"),
        "tone.negative" => ("负面", "Negative"),
        "analytics.breakdown" => ("分组查看", "Break down by"),
        "breakdown.tier" => ("等级", "Tier"),
        "breakdown.product" => ("产品", "Product"),
        "breakdown.channel" => ("渠道", "Channel"),
        "breakdown.staff" => ("客户经理", "Account manager"),
        "analytics.group" => ("分组", "Group"),
        "analytics.unspecified" => ("（未填写）", "(not given)"),
        "analytics.terms" => ("评论关键词", "Key terms in comments"),
        "analytics.terms-help" => ("截至日期前 12 个月的评论与投诉中最常出现的词语（中文按相邻两字切分）。点击关键词查看原文。", "The terms most used in the 12 months' comments and complaints (Chinese split into two-character terms). Click a term for the comments."),
        "analytics.term-comments" => ("包含该关键词的评论", "Comments using"),
        "analytics.date" => ("日期", "Date"),
        "analytics.customer" => ("客户", "Customer"),
        "analytics.complaint" => ("投诉", "complaint"),
        "analytics.lifecycle" => ("生命周期阶段", "Lifecycle stages"),
        "analytics.rules" => ("判定规则（自上而下，先符合者为准）", "Rules (read top to bottom; the first that holds decides)"),
        "analytics.warnings" => ("流失预警", "Churn warnings"),
        "analytics.warnings-help" => ("有预警规则触发或模型估计仍活跃概率低于 50% 的客户，按年均消费（流失损失）排序。", "Customers a warning rule fires for, or the model gives under 50% chance of still being active; most yearly spend (what losing them costs) first."),
        "analytics.reasons" => ("原因", "Why"),
        "analytics.value-at-risk" => ("年均消费", "Yearly spend"),
        "analytics.won-back" => ("已挽回的客户", "Won back"),
        "analytics.won-back-help" => ("曾超过平常购买间隔两倍未购买、之后又恢复购买的客户。", "Customers who went more than twice their usual interval without buying, then bought again."),
        "analytics.value" => ("客户价值", "Customer value"),
        "analytics.value-help" => ("按模型预计未来 12 个月价值排序（预计购买天数 × 每个购买日的平均消费）。", "By expected 12-month value (expected purchase days × average spend per purchase day)."),
        "analytics.aov" => ("客单价", "Average order"),
        "analytics.interval" => ("购买间隔（天）", "Purchase interval (days)"),
        "analytics.expected-purchases" => ("预计 12 个月购买", "Expected purchases, 12 months"),
        "analytics.expected-value" => ("预计 12 个月价值", "Expected 12-month value"),
        "analytics.campaigns" => ("营销活动效果", "Campaigns"),
        "analytics.campaigns-help" => ("参与者在参与前后各 4 周的消费，对比同等级未参与客户在活动首日前后 4 周的消费（人均）。", "Participants' spend in the 4 weeks before and after they took part, against customers of the same tiers who did not, around the campaign's first day (per customer)."),
        "campaign.name" => ("活动", "Campaign"),
        "campaign.invited" => ("邀请", "Entered"),
        "campaign.participants" => ("参与", "Took part"),
        "campaign.redeemed" => ("核销", "Redeemed"),
        "campaign.redemption" => ("核销率", "Redemption"),
        "campaign.before" => ("参与者 前 4 周", "Participants, 4 weeks before"),
        "campaign.after" => ("参与者 后 4 周", "Participants, 4 weeks after"),
        "campaign.control" => ("同等级未参与者 前 / 后", "Same-tier others, before / after"),
        "campaign.lift" => ("人均增量（对比未参与者）", "Lift per customer vs others"),
        "analytics.timing" => ("计算耗时", "Computed in"),
        "analytics.segment-filter" => ("RFM 分群", "RFM segment"),
        "analytics.all-segments" => ("全部分群", "All segments"),
        "analytics.stage" => ("生命周期", "Lifecycle"),
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
        "problem.date" => ("不是有效日期（如 2024-03-01、2024/3/1 或 2024年3月1日）", "is not a valid date (like 2024-03-01, 2024/3/1 or 2024年3月1日)"),
        "problem.future" => ("不能晚于今天", "cannot be in the future"),
        "problem.before" => ("不能早于", "cannot be before"),
        "problem.number" => ("应为数字", "must be a number"),
        "problem.negative" => ("不能为负数", "cannot be negative"),
        "problem.positive" => ("应大于 0", "must be more than 0"),
        "problem.range" => ("应在以下范围内", "must be between"),
        "problem.choice" => ("不是可选的值", "is not one of the choices"),
        "problem.unknown-customer" => ("没有客户使用此编号", "no customer has this code"),
        "problem.code-taken" => ("此客户编号已被其他客户使用", "another customer already has this code"),
        "field.code" => ("客户编号", "Customer code"),
        "field.order-no" => ("订单号", "Order no."),
        "field.unit-price" => ("单价", "Unit price"),
        "purchase.return" => ("退货", "return"),
        "card.carried-over" => ("含结转：消费 ￥{spend}，购买 {purchases} 次（截至 {date}）", "Includes carried over: ￥{spend} spent, {purchases} purchases (as of {date})"),
        "settings.code-format" => ("新客户编号格式", "Code format for new customers"),
        "settings.code-format-help" => ("末尾的 0 表示位数，例如 C00000 生成 C00001、C00002……", "Trailing zeros are the digits: C00000 gives C00001, C00002, …"),
        "import.create-customers" => ("创建未知客户（按客户编号）", "Create unknown customers (by code)"),
        "import.skip-returns" => ("跳过退货行", "Skip returns"),
        "import.header-line" => ("标题所在行", "Heading line"),
        "import.sheet" => ("工作表", "Sheet"),
        "import.missing-target" => ("没有列对应“{target}”：请在下方为它选择一列", "No column is mapped to “{target}”: choose one below"),
        "import.details" => ("{orders} 笔订单合并了 {lines} 行 · 退货 {returns} 行 · 跳过退货 {skipped} 行 · 新建客户 {customers} 位 · 无客户的行 {none} 行（未导入）", "{lines} lines joined into their orders · {returns} return lines · {skipped} returns skipped · {customers} customers created · {none} rows without a customer (not imported)"),
        "import.no-customer-lines" => ("无客户的行", "Rows without a customer"),
        "analytics.carried-over" => ("结转数据（从旧表格导入的消费金额与购买次数）计入消费、频次、RFM、生命周期与流失预警（视为从成为客户之日到结转截至日均匀分布的购买）；BG/NBD 模型只使用有日期的购买记录。退货减少消费，不计为购买。", "Carried-over figures (spend and purchases imported from an earlier sheet) count in spend, frequency, RFM, lifecycle and churn warnings (taken as spread evenly from the customer-since date to their as-of date); the BG/NBD model uses dated purchases only. Returns reduce spend and are not counted as purchases."),
        "import.customers-created" => ("位客户已新建", "customers created"),
        "import.returns" => ("行退货", "return lines"),
        "export.xlsx" => ("导出 Excel 工作簿（.xlsx）", "Export Excel workbook (.xlsx)"),
        "file.spreadsheet" => ("无法读取此电子表格", "this spreadsheet cannot be read"),
        "reason.imported" => ("从旧表格带入", "Carried over from the previous sheet"),
        "form.opening" => ("从旧表格带入（可选）", "Carried over from your previous sheet (optional)"),
        "form.opening-help" => ("没有明细的累计数字：按“截至日期”计入等级和积分；带入的等级保持到下一次评级。", "Totals without the purchases behind them: they count for tiers and points as of their date, and the tier you had holds until its next review."),
        "field.opening-as-of" => ("截至日期", "As of"),
        "field.opening-spend" => ("累计消费金额", "Total spend"),
        "field.opening-purchases" => ("购买频次", "Number of purchases"),
        "field.opening-points" => ("积分余额", "Points balance"),
        "field.opening-tier" => ("当前等级", "Current tier"),
        "field.opening-last-review" => ("上次评级日期", "Last rating date"),
        "field.opening-next-review" => ("下一次评级日期", "Next rating date"),
        "points.title" => ("积分", "Points"),
        "points.balance" => ("当前积分", "balance"),
        "points.redeem" => ("兑换积分", "Redeem points"),
        "points.none" => ("暂无积分记录", "No points yet"),
        "points.kind.purchase" => ("消费积分", "Purchase"),
        "points.kind.birthday" => ("生日月消费（加倍）", "Birthday-month purchase (bonus)"),
        "points.kind.feedback" => ("评价奖励", "Feedback bonus"),
        "points.kind.referral" => ("推荐奖励", "Referral bonus"),
        "points.kind.opening" => ("期初积分", "Opening balance"),
        "points.kind.redeemed" => ("兑换", "Redeemed"),
        "points.kind.expired" => ("过期", "Expired"),
        "field.redeem-amount" => ("兑换积分数", "Points to redeem"),
        "field.redeem-note" => ("用途说明", "What for"),
        "field.override-tier" => ("指定等级", "Tier"),
        "field.override-reason" => ("调整原因", "Reason"),
        "field.override-until" => ("有效至", "Until"),
        "tier.override" => ("人工调整等级", "Set the tier by hand"),
        "tier.end-override" => ("恢复按规则评级", "Hand back to the rules"),
        "policy.multiplier" => ("积分倍数", "Points ×"),
        "policy.benefits" => ("权益（逗号分隔）", "Benefits (comma separated)"),
        "policy.colour" => ("颜色", "Colour"),
        "policy.birthday" => ("生日月积分倍数", "Birthday-month points ×"),
        "policy.feedback-bonus" => ("每条评价奖励积分", "Points per feedback"),
        "policy.referral-bonus" => ("每次成功推荐奖励积分", "Points per successful referral"),
        "policy.add-tier" => ("添加更高等级", "Add a higher tier"),
        "policy.remove-tier" => ("删除", "Remove"),
        "nav.tiers.title" => ("等级政策", "Tier policy"),
        "tier.badge" => ("等级", "Tier"),
        "tier.next-review" => ("下次评级", "Next review"),
        "tier.last-review" => ("上次评级", "Last review"),
        "tier.top" => ("已是最高等级", "Top tier reached"),
        "tier.to-next" => ("距离", "To reach"),
        "tier.more" => ("还差", "Still needed:"),
        "tier.or" => ("或", "or"),
        "tier.and" => ("且", "and"),
        "tier.score" => ("综合评分", "score"),
        "tier.benefits" => ("等级权益", "Benefits"),
        "tier.history" => ("等级变动记录", "Tier history"),
        "tier.manual-until" => ("人工指定，有效至", "Set by hand until"),
        "tier.unrated" => ("尚未评级", "Not rated yet"),
        "reason.initial" => ("首次评级", "First rating"),
        "reason.upgrade" => ("升级", "Upgrade"),
        "reason.downgrade" => ("评级降级", "Downgrade at review"),
        "reason.new-policy" => ("新等级政策", "New tier policy"),
        "reason.override" => ("人工调整", "Set by hand"),
        "reason.override-ended" => ("人工指定到期", "Manual tier ended"),
        "metric.spend" => ("个月消费", "-month spend"),
        "metric.purchases" => ("个月购买次数", "-month purchases"),
        "metric.tenure" => ("客户年限（年）", "Years as customer"),
        "metric.influence" => ("影响力评分", "Influence score"),
        "metric.points" => ("积分", "Points"),
        "metric.referrals" => ("成功推荐", "Successful referrals"),
        "policy.preset" => ("预设方案", "Preset"),
        "preset.metals" => ("青铜/白银/黄金/铂金", "Bronze / Silver / Gold / Platinum"),
        "preset.stars" => ("普通/银牌/金牌/钻石客户", "Regular / Silver / Gold / Diamond"),
        "preset.hotel" => ("酒店：金卡/白金卡/钻石卡", "Hotel: Gold / Platinum / Diamond card"),
        "preset.retail5" => ("零售五级（加权评分）", "Retail, five levels (weighted score)"),
        "preset.custom" => ("自定义", "Custom"),
        "policy.window" => ("统计窗口（月）", "Window (months)"),
        "policy.cadence" => ("评级周期", "Review cadence"),
        "policy.max-drop" => ("每次评级最多降几级（0 = 不限）", "Most levels down per review (0 = no limit)"),
        "policy.grace" => ("降级宽限期（天）", "Grace period before a downgrade (days)"),
        "policy.points-rate" => ("每消费 1 元积分", "Points per ¥1"),
        "policy.points-expiry" => ("积分有效期（月，0 = 永久）", "Points expire after (months, 0 = never)"),
        "policy.mode" => ("规则", "Rule"),
        "policy.min-score" => ("所需评分", "Score needed"),
        "policy.name-zh" => ("中文名称", "Chinese name"),
        "policy.name-en" => ("英文名称", "English name"),
        "policy.apply" => ("保存并重新评级", "Save and re-rate everyone"),
        "policy.applied" => ("已重新评级客户数", "Customers re-rated"),
        "policy.eval-ms" => ("评级耗时（毫秒）", "Evaluation time (ms)"),
        "policy.counts" => ("各等级客户数", "Customers per tier"),
        "policy.what-if" => ("变更预览（尚未保存）", "What if (nothing saved yet)"),
        "policy.up" => ("升级", "Up"),
        "policy.down" => ("降级", "Down"),
        "policy.stay" => ("不变", "Stay"),
        "policy.now" => ("现在", "Now"),
        "policy.after" => ("应用后", "After"),
        "policy.movers" => ("等级会变化的客户", "Customers who would move"),
        "policy.due" => ("30 天内待评级", "Reviews due in 30 days"),
        "policy.help" => (
            "空白表示不使用该指标。升级即时生效；降级只在评级日进行。",
            "Leave a cell empty to not use that measure. Upgrades apply at once; downgrades only at a review.",
        ),
        "policy.help-score" => ("加权评分：上格为目标值（达到即得满分），下格为权重。", "Weighted score: the upper box is the target (full marks when reached), the lower one its weight."),
        "mode.all" => ("全部满足", "All of"),
        "mode.any" => ("满足任一", "Any of"),
        "mode.score" => ("加权评分", "Weighted score"),
        "cadence.quarterly" => ("每季度", "Quarterly"),
        "cadence.half-yearly" => ("每半年", "Half-yearly"),
        "cadence.yearly" => ("每年", "Yearly"),
        "cadence.anniversary" => ("客户周年日", "On each customer's anniversary"),
        "policy-error.no-tiers" => ("至少需要一个等级", "A policy needs at least one tier"),
        "policy-error.name" => ("等级名称不能为空", "Tier names cannot be empty"),
        "policy-error.duplicate" => ("等级编号重复", "Two tiers have the same id"),
        "policy-error.window" => ("统计窗口至少 1 个月", "The window must be at least 1 month"),
        "policy-error.entry" => {
            ("最低等级不能设门槛：人人都从这里开始", "The entry tier cannot have thresholds: everyone starts there")
        }
        "policy-error.no-rule" => ("该等级没有任何门槛", "This tier has no threshold"),
        "policy-error.threshold" => ("门槛必须是大于 0 的数字", "Thresholds must be numbers above 0"),
        "policy-error.increasing" => ("门槛必须高于下一级", "Thresholds must be higher than the tier below"),
        "policy-error.points" => {
            ("积分倍数和奖励必须是不小于 0 的数字", "Points rates, multipliers and bonuses must be numbers from 0 up")
        }
        "policy-error.score" => {
            ("所需评分必须大于 0 且高于下一级", "The score needed must be above 0 and above the tier below")
        }
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
    let sep = if lang == Lang::Zh { "：" } else { ": " };
    format!("{label}{sep}{}", problem_text(lang, &error.problem))
}

/// What is wrong with a value, without naming the field.
pub fn problem_text(lang: Lang, problem: &Problem) -> String {
    match problem {
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
        Problem::UnknownCustomer => tr(lang, "problem.unknown-customer").to_string(),
        Problem::CodeTaken => tr(lang, "problem.code-taken").to_string(),
    }
}

/// A text with `{name}` placeholders filled in.
pub fn fill(template: &str, values: &[(&str, String)]) -> String {
    values.iter().fold(template.to_string(), |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
}

/// One import problem as a sentence naming the file, the line and the column.
pub fn import_problem(lang: Lang, file: &str, p: &RowProblem, headings: &[String]) -> String {
    let sep = if lang == Lang::Zh { "：" } else { ": " };
    let mut place = vec![file.to_string(), fill(tr(lang, "import.at-line"), &[("line", p.line.to_string())])];
    if let Some(c) = p.column {
        let heading = headings.get(c).cloned().unwrap_or_default();
        place.push(fill(tr(lang, "import.at-column"), &[("column", (c + 1).to_string()), ("heading", heading)]));
    } else if let Some(field) = &p.field {
        place.push(format!("“{}”", tr(lang, &format!("field.{field}"))));
    }
    let what = match &p.issue {
        RowIssue::Field(problem) => problem_text(lang, problem),
        RowIssue::CellCount { expected, found } => {
            fill(tr(lang, "import.cells"), &[("expected", expected.to_string()), ("found", found.to_string())])
        }
        RowIssue::UnclosedQuote { through_line } => {
            fill(tr(lang, "import.unclosed"), &[("line", through_line.to_string())])
        }
        RowIssue::NoCustomer => tr(lang, "import.no-customer").to_string(),
        RowIssue::AmbiguousCustomer(n) => fill(tr(lang, "import.ambiguous"), &[("count", n.to_string())]),
        RowIssue::DuplicateInFile { first_line } => {
            fill(tr(lang, "import.duplicate"), &[("line", first_line.to_string())])
        }
    };
    let joiner = if lang == Lang::Zh { " " } else { ", " };
    format!("{}{sep}{what}", place.join(joiner))
}

/// Why a whole file was refused, naming the file.
pub fn file_problem(lang: Lang, file: &str, problem: &FileProblem) -> String {
    let what = match problem {
        FileProblem::Empty => tr(lang, "file.empty").to_string(),
        FileProblem::Binary => tr(lang, "file.binary").to_string(),
        FileProblem::Spreadsheet(why) => format!("{}（{why}）", tr(lang, "file.spreadsheet")),
        FileProblem::NotDecodable(e) => fill(tr(lang, "file.not-decodable"), &[("encoding", e.code().to_uppercase())]),
        FileProblem::HeaderOnly => tr(lang, "file.header-only").to_string(),
        FileProblem::NoHeader => tr(lang, "file.no-header").to_string(),
    };
    let sep = if lang == Lang::Zh { "：" } else { ": " };
    format!("{file}{sep}{what}")
}

pub fn backup_problem(lang: Lang, file: &str, problem: &BackupProblem) -> String {
    let what = match problem {
        BackupProblem::NotJson { line, column, .. } => {
            fill(tr(lang, "file.not-json"), &[("line", line.to_string()), ("column", column.to_string())])
        }
        BackupProblem::NotABackup => tr(lang, "file.not-backup").to_string(),
        BackupProblem::OtherVersion(v) => fill(tr(lang, "file.other-version"), &[("version", v.to_string())]),
        BackupProblem::Invalid { line, column, message } => fill(
            tr(lang, "file.invalid"),
            &[("line", line.to_string()), ("column", column.to_string()), ("message", message.clone())],
        ),
        BackupProblem::DuplicateCustomer(id) => fill(tr(lang, "file.duplicate-customer"), &[("id", id.to_string())]),
        BackupProblem::InvalidValue { customer, field, problem } => fill(
            tr(lang, "file.invalid-value"),
            &[
                ("id", customer.to_string()),
                ("field", tr(lang, &format!("field.{field}")).to_string()),
                ("problem", problem_text(lang, problem)),
            ],
        ),
        BackupProblem::InvalidPolicy => tr(lang, "file.invalid-policy").to_string(),
    };
    let sep = if lang == Lang::Zh { "：" } else { ": " };
    format!("{file}{sep}{what}")
}

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

/// A tier's name in the current language.
pub fn tier_name(lang: Lang, tier: &TierDef) -> &str {
    match lang {
        Lang::Zh => &tier.name_zh,
        Lang::En => &tier.name_en,
    }
}

fn metric_label(lang: Lang, metric: Metric, window_months: u32) -> String {
    let label = tr(lang, &format!("metric.{}", metric.code()));
    match metric {
        Metric::Spend | Metric::Purchases if lang == Lang::Zh => format!("{window_months} {label}"),
        Metric::Spend | Metric::Purchases => format!("{window_months}{label}"),
        _ => label.to_string(),
    }
}

/// A metric's value as people write it: `￥31,200`, `26`, `2.3`.
pub fn metric_value(metric: Metric, value: f64) -> String {
    match metric {
        Metric::Spend => {
            let grouped = format_grouped((value * 100.0).round() as i64);
            format!("￥{}", grouped.strip_suffix(".00").unwrap_or(&grouped))
        }
        Metric::TenureYears => format!("{:.1}", (value * 10.0).floor() / 10.0),
        _ => format!("{}", value.floor()),
    }
}

/// "12-month spend ￥31,200 ≥ ￥30,000".
pub fn evidence_text(lang: Lang, e: &Evidence, window_months: u32) -> String {
    let op = if e.met() { "≥" } else { "<" };
    format!(
        "{} {} {op} {}",
        metric_label(lang, e.metric, window_months),
        metric_value(e.metric, e.value),
        metric_value(e.metric, e.min)
    )
}

/// Why a tier changed, with the figures: the thresholds met for a rise, missed for a fall.
/// Why a customer is on the churn-warning list.
pub fn warning_text(lang: Lang, warning: &Warning) -> String {
    match (warning, lang) {
        (Warning::Overdue { days, usual }, Lang::Zh) => format!("已 {days} 天未购买（平常间隔 {usual:.0} 天）"),
        (Warning::Overdue { days, usual }, Lang::En) => {
            format!("No purchase for {days} days (usually every {usual:.0})")
        }
        (Warning::FallingSatisfaction { latest, before }, Lang::Zh) => {
            format!("满意度下降：最近 {latest} 分，此前平均 {before:.1} 分")
        }
        (Warning::FallingSatisfaction { latest, before }, Lang::En) => {
            format!("Satisfaction falling: latest {latest}, before {before:.1} on average")
        }
        (Warning::OpenComplaint { since }, Lang::Zh) => format!("投诉未解决（{since} 起）"),
        (Warning::OpenComplaint { since }, Lang::En) => format!("Open complaint since {since}"),
    }
}

/// The rule that puts a customer in a lifecycle stage, with the numbers the analysis uses.
pub fn lifecycle_rule(lang: Lang, stage: Stage, r: &Rules) -> String {
    let (k, lost, min_days, new_days, mature) =
        (r.overdue_factor, r.lost_factor, r.lost_min_days, r.new_days, r.mature_purchase_days);
    match (stage, lang) {
        (Stage::Prospect, Lang::Zh) => "截至日期前没有任何购买".into(),
        (Stage::Prospect, Lang::En) => "No purchase up to the date".into(),
        (Stage::Lost, Lang::Zh) => format!("未购买天数超过平常间隔的 {lost} 倍，且至少 {min_days} 天"),
        (Stage::Lost, Lang::En) => {
            format!("No purchase for over {lost}× the usual interval and at least {min_days} days")
        }
        (Stage::AtRisk, Lang::Zh) => format!("未购买天数超过平常间隔的 {k} 倍"),
        (Stage::AtRisk, Lang::En) => format!("No purchase for over {k}× the usual interval"),
        (Stage::WonBack, Lang::Zh) => format!("最近一次购买前曾超过平常间隔的 {k} 倍未购买"),
        (Stage::WonBack, Lang::En) => {
            format!("Went over {k}× the usual interval without buying before the latest purchase")
        }
        (Stage::New, Lang::Zh) => format!("首次购买在 {new_days} 天以内"),
        (Stage::New, Lang::En) => format!("First purchase within {new_days} days"),
        (Stage::Growing, Lang::Zh) => format!("首次购买不满一年，或购买天数少于 {mature}"),
        (Stage::Growing, Lang::En) => format!("First purchase under a year ago, or fewer than {mature} purchase days"),
        (Stage::Mature, Lang::Zh) => "其余仍在正常购买的客户".into(),
        (Stage::Mature, Lang::En) => "Everyone else who buys in rhythm".into(),
    }
}

/// The order the lifecycle rules are checked in.
pub const RULE_ORDER: [Stage; 7] =
    [Stage::Prospect, Stage::Lost, Stage::AtRisk, Stage::WonBack, Stage::New, Stage::Growing, Stage::Mature];

pub fn reason_text(lang: Lang, reason: &Reason, window_months: u32) -> String {
    let list = |evidence: &[Evidence], met: bool| {
        let chosen: Vec<String> =
            evidence.iter().filter(|e| e.met() == met).map(|e| evidence_text(lang, e, window_months)).collect();
        chosen.join(if lang == Lang::Zh { "；" } else { "; " })
    };
    let (key, detail) = match reason {
        Reason::Initial(ev) => ("reason.initial", list(ev, true)),
        Reason::Upgrade(ev) => ("reason.upgrade", list(ev, true)),
        Reason::NewPolicy(ev) => ("reason.new-policy", list(ev, true)),
        Reason::Downgrade(ev) => ("reason.downgrade", list(ev, false)),
        Reason::Override(why) => ("reason.override", why.clone()),
        Reason::OverrideEnded => ("reason.override-ended", String::new()),
        Reason::Imported => ("reason.imported", String::new()),
    };
    let head = tr(lang, key);
    match (detail.is_empty(), lang) {
        (true, _) => head.to_string(),
        (false, Lang::Zh) => format!("{head}：{detail}"),
        (false, Lang::En) => format!("{head}: {detail}"),
    }
}

/// "￥2,300 more or 3 more purchases" towards the next tier.
pub fn missing_text(lang: Lang, mode: RuleMode, missing: &[Evidence], window_months: u32) -> String {
    let parts: Vec<String> = missing
        .iter()
        .map(|e| {
            let gap = metric_value(e.metric, (e.min - e.value).max(0.0).ceil_to(e.metric));
            match lang {
                Lang::Zh => format!("{} {gap}", metric_label(lang, e.metric, window_months)),
                Lang::En => format!("{gap} more {}", metric_label(lang, e.metric, window_months).to_lowercase()),
            }
        })
        .collect();
    let joiner = match mode {
        RuleMode::Any => tr(lang, "tier.or"),
        _ => tr(lang, "tier.and"),
    };
    format!("{} {}", tr(lang, "tier.more"), parts.join(&format!(" {joiner} ")))
}

trait CeilTo {
    fn ceil_to(self, metric: Metric) -> f64;
}

impl CeilTo for f64 {
    /// A gap in whole units of its metric (cents for money, tenths of years, whole counts).
    fn ceil_to(self, metric: Metric) -> f64 {
        match metric {
            Metric::Spend => (self * 100.0).ceil() / 100.0,
            Metric::TenureYears => (self * 10.0).ceil() / 10.0,
            _ => self.ceil(),
        }
    }
}

pub fn policy_error(lang: Lang, error: &PolicyError, policy: &TierPolicy) -> String {
    let (key, tier) = match error {
        PolicyError::NoTiers => ("policy-error.no-tiers", None),
        PolicyError::EmptyName(i) => ("policy-error.name", Some(*i)),
        PolicyError::DuplicateId(_) => ("policy-error.duplicate", None),
        PolicyError::ZeroWindow => ("policy-error.window", None),
        PolicyError::EntryTierHasRules => ("policy-error.entry", Some(0)),
        PolicyError::NoRule(i) => ("policy-error.no-rule", Some(*i)),
        PolicyError::BadThreshold(i) => ("policy-error.threshold", Some(*i)),
        PolicyError::NotIncreasing(i, _) => ("policy-error.increasing", Some(*i)),
        PolicyError::ScoreNotIncreasing(i) | PolicyError::BadScore(i) => ("policy-error.score", Some(*i)),
        PolicyError::BadPoints(i) => ("policy-error.points", *i),
    };
    let name = tier.and_then(|i| policy.tiers.get(i)).map(|t| tier_name(lang, t).to_string());
    match (name, lang) {
        (Some(n), Lang::Zh) if !n.trim().is_empty() => format!("{n}：{}", tr(lang, key)),
        (Some(n), Lang::En) if !n.trim().is_empty() => format!("{n}: {}", tr(lang, key)),
        (Some(_), _) => format!("#{}: {}", tier.unwrap_or(0) + 1, tr(lang, key)),
        (None, _) => tr(lang, key).to_string(),
    }
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
    fn lifecycle_rules_quote_the_numbers_the_analysis_uses() {
        use crate::domain::insights::RULES;
        assert_eq!(lifecycle_rule(Lang::En, Stage::AtRisk, &RULES), "No purchase for over 2× the usual interval");
        assert_eq!(lifecycle_rule(Lang::Zh, Stage::Lost, &RULES), "未购买天数超过平常间隔的 4 倍，且至少 180 天");
        assert_eq!(RULE_ORDER.len(), Stage::ALL.len());
        assert!(Stage::ALL.iter().all(|s| RULE_ORDER.contains(s)), "every stage has its rule shown");
        let w = Warning::Overdue { days: 75, usual: 30.0 };
        assert_eq!(warning_text(Lang::En, &w), "No purchase for 75 days (usually every 30)");
        assert!(Stage::ALL.iter().all(|s| lookup(&format!("stage.{}", s.code())).is_some()));
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
    fn tier_reasons_quote_the_figures() {
        let e = |metric, value, min| Evidence { metric, value, min };
        let up = Reason::Upgrade(vec![e(Metric::Spend, 31_200.0, 30_000.0), e(Metric::Purchases, 12.0, 50.0)]);
        assert_eq!(reason_text(Lang::En, &up, 12), "Upgrade: 12-month spend ￥31,200 ≥ ￥30,000");
        assert_eq!(reason_text(Lang::Zh, &up, 12), "升级：12 个月消费 ￥31,200 ≥ ￥30,000");
        let down = Reason::Downgrade(vec![e(Metric::Spend, 2_999.99, 3_000.0), e(Metric::TenureYears, 2.46, 1.0)]);
        assert_eq!(reason_text(Lang::En, &down, 6), "Downgrade at review: 6-month spend ￥2,999.99 < ￥3,000");
        assert_eq!(reason_text(Lang::En, &Reason::Override("partner".into()), 12), "Set by hand: partner");
    }

    #[test]
    fn missing_text_says_what_is_left_to_do() {
        let e = |metric, value, min| Evidence { metric, value, min };
        let missing = [e(Metric::Spend, 7_700.0, 10_000.0), e(Metric::Purchases, 22.0, 25.0)];
        assert_eq!(
            missing_text(Lang::En, RuleMode::Any, &missing, 12),
            "Still needed: ￥2,300 more 12-month spend or 3 more 12-month purchases"
        );
        assert_eq!(
            missing_text(Lang::Zh, RuleMode::All, &missing, 12),
            "还差 12 个月消费 ￥2,300 且 12 个月购买次数 3"
        );
        let tenure = [e(Metric::TenureYears, 1.44, 2.0)];
        assert_eq!(missing_text(Lang::En, RuleMode::All, &tenure, 12), "Still needed: 0.6 more years as customer");
    }

    #[test]
    fn policy_errors_name_the_tier() {
        let mut p = crate::domain::tiers::preset("metals").unwrap();
        p.tiers[2].thresholds[0].min = 1.0;
        let err = p.validate().unwrap_err();
        assert_eq!(policy_error(Lang::En, &err, &p), "Gold: Thresholds must be higher than the tier below");
        assert_eq!(policy_error(Lang::Zh, &err, &p), "黄金：门槛必须高于下一级");
    }

    #[test]
    fn import_problems_name_the_file_line_and_column() {
        let headings = vec!["客户名称".to_string(), "电话".to_string()];
        let p = RowProblem { line: 5, column: Some(1), field: None, issue: RowIssue::Field(Problem::InvalidPhone) };
        assert_eq!(
            import_problem(Lang::En, "a.csv", &p, &headings),
            format!("a.csv, line 5, column 2 “电话”: {}", tr(Lang::En, "problem.phone"))
        );
        assert_eq!(
            import_problem(Lang::Zh, "a.csv", &p, &headings),
            format!("a.csv 第 5 行 第 2 列“电话”：{}", tr(Lang::Zh, "problem.phone"))
        );
        let q = RowProblem { line: 9, column: None, field: None, issue: RowIssue::UnclosedQuote { through_line: 40 } };
        assert_eq!(
            import_problem(Lang::En, "b.csv", &q, &headings),
            "b.csv, line 9: a quote opened here is never closed (it runs on to line 40)"
        );
        assert_eq!(file_problem(Lang::En, "c.csv", &FileProblem::Empty), "c.csv: the file is empty");
        assert_eq!(
            backup_problem(Lang::En, "d.json", &BackupProblem::OtherVersion(3)),
            "d.json: this backup comes from another version of Tierbook (format 3); this one reads formats 1 to 2"
        );
    }

    #[test]
    fn unknown_keys_are_visible_not_silent() {
        assert_eq!(tr(Lang::En, "no.such.key"), "?");
        assert_eq!(tr(Lang::Zh, "nav.customers"), "客户");
        assert_eq!(Lang::Zh.other(), Lang::En);
    }
}
