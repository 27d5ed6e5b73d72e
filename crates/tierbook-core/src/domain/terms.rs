//! What customers write about: key terms of comments in Chinese and English, and each
//! comment's tone from a small lexicon.
//!
//! Chinese has no spaces between words, so a run of Chinese characters yields its character
//! bigrams (服务热情 → 服务, 务热, 热情): frequent bigrams are the words and phrases people
//! repeat. English text yields lower-case words and two-word phrases, without stop words.

use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tone {
    Positive,
    Neutral,
    Negative,
}

impl Tone {
    pub fn code(self) -> &'static str {
        match self {
            Tone::Positive => "positive",
            Tone::Neutral => "neutral",
            Tone::Negative => "negative",
        }
    }
}

const POSITIVE: &[&str] = &[
    "好",
    "满意",
    "喜欢",
    "推荐",
    "热情",
    "香",
    "好喝",
    "好吃",
    "美味",
    "舒适",
    "安静",
    "干净",
    "方便",
    "专业",
    "周到",
    "贴心",
    "快",
    "棒",
    "赞",
    "优质",
    "实惠",
    "不错",
    "友好",
    "耐心",
    "great",
    "good",
    "excellent",
    "friendly",
    "love",
    "lovely",
    "nice",
    "recommend",
    "delicious",
    "fast",
    "clean",
    "helpful",
    "perfect",
    "amazing",
    "happy",
    "fresh",
    "quiet",
    "tasty",
    "kind",
];
const NEGATIVE: &[&str] = &[
    "差",
    "慢",
    "贵",
    "偏高",
    "投诉",
    "失望",
    "难喝",
    "难吃",
    "延误",
    "等待",
    "脏",
    "吵",
    "冷淡",
    "态度",
    "问题",
    "退款",
    "坏",
    "糟",
    "不满",
    "错",
    "漏",
    "久",
    "bad",
    "slow",
    "dry",
    "expensive",
    "rude",
    "dirty",
    "late",
    "delay",
    "delayed",
    "cold",
    "wrong",
    "broken",
    "disappointed",
    "disappointing",
    "complaint",
    "noisy",
    "poor",
    "terrible",
    "worst",
    "refund",
    "waiting",
];
/// Words that turn the next lexicon word round (不好, not good).
const NEGATIONS: &[&str] =
    &["不", "没", "没有", "别", "未", "not", "no", "never", "isn't", "wasn't", "don't", "didn't"];
const ENGLISH_STOP_WORDS: &[&str] = &[
    "the", "and", "was", "were", "for", "with", "this", "that", "but", "are", "you", "your", "our", "has", "have",
    "had", "very", "too", "its", "it's", "from", "they", "them", "there", "what", "will", "would", "just", "been",
    "all", "any", "can", "not", "out", "about", "into", "than", "then", "also", "more", "some", "when", "which",
];
/// Single characters that make a Chinese bigram carry no meaning of its own (的, 了, …).
const CHINESE_STOP_CHARS: &[char] = &[
    '的', '了', '是', '在', '和', '也', '就', '都', '很', '有', '我', '你', '他', '她', '们', '这', '那', '吧', '啊',
    '呢',
];

fn is_chinese(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// The distinct key terms of one comment, in the order they first appear.
pub fn terms_of(text: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    let mut push = |term: String| {
        if !terms.contains(&term) {
            terms.push(term);
        }
    };
    let mut previous_word: Option<String> = None;
    let mut han: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_han = |han: &mut Vec<char>, push: &mut dyn FnMut(String)| {
        for pair in han.windows(2) {
            if !pair.iter().any(|c| CHINESE_STOP_CHARS.contains(c)) {
                push(pair.iter().collect());
            }
        }
        han.clear();
    };
    for c in text.chars().chain(std::iter::once(' ')) {
        if is_chinese(c) {
            han.push(c);
        } else {
            flush_han(&mut han, &mut push);
        }
        if c.is_alphanumeric() && !is_chinese(c) || c == '\'' && !word.is_empty() {
            word.extend(c.to_lowercase());
            continue;
        }
        if !word.is_empty() {
            let w = std::mem::take(&mut word);
            let keep = w.chars().count() >= 3
                && !ENGLISH_STOP_WORDS.contains(&w.as_str())
                && !w.chars().all(|c| c.is_numeric());
            if keep {
                if let Some(p) = &previous_word {
                    push(format!("{p} {w}"));
                }
                push(w.clone());
                previous_word = Some(w);
            } else {
                previous_word = None;
            }
        }
        // Punctuation ends a phrase; a space does not.
        if !c.is_whitespace() {
            previous_word = None;
        }
    }
    terms
}

/// A comment's tone: lexicon hits, each turned round by a negation just before it.
pub fn tone_of(text: &str) -> Tone {
    let lower = text.to_lowercase();
    let mut score = 0i32;
    for (list, sign) in [(POSITIVE, 1), (NEGATIVE, -1)] {
        for word in list {
            let ascii = word.is_ascii();
            for (at, _) in lower.match_indices(word) {
                let before = &lower[..at];
                if ascii {
                    // Whole English words only ("good" is not inside "goodbye").
                    let after = &lower[at + word.len()..];
                    let edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
                    if !edge(before.chars().last()) || !edge(after.chars().next()) {
                        continue;
                    }
                }
                let negated = NEGATIONS.iter().any(|n| {
                    let trimmed = before.trim_end();
                    trimmed.ends_with(n)
                        && (!n.is_ascii()
                            || trimmed[..trimmed.len() - n.len()].chars().last().is_none_or(|c| !c.is_alphanumeric()))
                });
                score += if negated { -sign } else { sign };
            }
        }
    }
    match score {
        s if s > 0 => Tone::Positive,
        0 => Tone::Neutral,
        _ => Tone::Negative,
    }
}

/// One comment for the analysis: its text and whether it must count as negative whatever it
/// says (a complaint from the interaction log).
pub struct Comment<'a> {
    pub text: &'a str,
    pub complaint: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TermCount {
    pub term: String,
    /// How many comments use it.
    pub comments: usize,
    pub negative: usize,
    /// Indexes of the comments that use it, into the list given.
    pub examples: Vec<usize>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct TermReport {
    pub tones: Vec<Tone>,
    pub positive: usize,
    pub neutral: usize,
    pub negative: usize,
    /// Most used first; ties alphabetical so the list is stable.
    pub terms: Vec<TermCount>,
}

/// Tone of every comment and the `top` most used terms (used by at least two comments).
pub fn analyse(comments: &[Comment], top: usize) -> TermReport {
    let mut report = TermReport::default();
    let mut counts: HashMap<String, TermCount> = HashMap::new();
    // Short comments repeat ("很好", "Great coffee"): read each distinct text once.
    let mut read: HashMap<&str, (Tone, Vec<String>)> = HashMap::new();
    for (i, comment) in comments.iter().enumerate() {
        let (own_tone, terms) =
            read.entry(comment.text).or_insert_with(|| (tone_of(comment.text), terms_of(comment.text)));
        let tone = if comment.complaint { Tone::Negative } else { *own_tone };
        match tone {
            Tone::Positive => report.positive += 1,
            Tone::Neutral => report.neutral += 1,
            Tone::Negative => report.negative += 1,
        }
        report.tones.push(tone);
        for term in terms.iter() {
            let entry = match counts.get_mut(term) {
                Some(entry) => entry,
                None => counts.entry(term.clone()).or_insert(TermCount {
                    term: term.clone(),
                    comments: 0,
                    negative: 0,
                    examples: Vec::new(),
                }),
            };
            entry.comments += 1;
            entry.negative += usize::from(tone == Tone::Negative);
            entry.examples.push(i);
        }
    }
    let mut terms: Vec<TermCount> = counts.into_values().filter(|t| t.comments >= 2).collect();
    terms.sort_by(|a, b| b.comments.cmp(&a.comments).then_with(|| a.term.cmp(&b.term)));
    terms.truncate(top);
    report.terms = terms;
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_text_gives_character_bigrams_without_function_words() {
        assert_eq!(terms_of("服务热情"), ["服务", "务热", "热情"]);
        assert_eq!(terms_of("咖啡很香，服务热情"), ["咖啡", "服务", "务热", "热情"]);
        assert!(terms_of("的").is_empty());
    }

    #[test]
    fn english_text_gives_words_and_two_word_phrases() {
        assert_eq!(
            terms_of("Great coffee, friendly staff!"),
            ["great", "great coffee", "coffee", "friendly", "friendly staff", "staff"]
        );
        assert_eq!(terms_of("The cake was dry"), ["cake", "dry"], "stop words end a phrase");
        assert_eq!(terms_of("咖啡 great latte"), ["咖啡", "great", "great latte", "latte"]);
    }

    #[test]
    fn tone_counts_lexicon_words_and_negation() {
        assert_eq!(tone_of("咖啡很香，服务热情"), Tone::Positive);
        assert_eq!(tone_of("等待时间有点长"), Tone::Negative);
        assert_eq!(tone_of("价格偏高"), Tone::Negative);
        assert_eq!(tone_of("服务不热情"), Tone::Negative);
        assert_eq!(tone_of("Great coffee, friendly staff"), Tone::Positive);
        assert_eq!(tone_of("The cake was dry"), Tone::Negative);
        assert_eq!(tone_of("not good"), Tone::Negative);
        assert_eq!(tone_of("goodbye"), Tone::Neutral, "whole words only");
        assert_eq!(tone_of("环境一般"), Tone::Neutral);
    }

    #[test]
    fn analysis_counts_comments_per_term_and_complaints_as_negative() {
        let comments = [
            Comment { text: "服务热情", complaint: false },
            Comment { text: "服务很慢", complaint: false },
            Comment { text: "外卖送达延误", complaint: true },
            Comment { text: "外卖很好", complaint: true },
            Comment { text: "服务服务", complaint: false },
        ];
        let report = analyse(&comments, 10);
        assert_eq!(report.tones, [Tone::Positive, Tone::Negative, Tone::Negative, Tone::Negative, Tone::Neutral]);
        assert_eq!((report.positive, report.neutral, report.negative), (1, 1, 3));
        assert_eq!(report.terms[0].term, "服务");
        assert_eq!(report.terms[0].comments, 3, "a term counts once per comment");
        assert_eq!(report.terms[0].examples, [0, 1, 4]);
        assert_eq!(report.terms[0].negative, 1);
        let takeaway = report.terms.iter().find(|t| t.term == "外卖").unwrap();
        assert_eq!((takeaway.comments, takeaway.negative), (2, 2));
        assert!(report.terms.iter().all(|t| t.comments >= 2), "one-off terms are not key terms");
        assert!(analyse(&[], 10).terms.is_empty());
    }
}
