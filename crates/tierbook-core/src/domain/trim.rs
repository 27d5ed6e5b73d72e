//! Trimming a cell, fast when there is nothing to trim (almost always): an import trims each of
//! a million rows' cells several times, and `str::trim` walks a pattern searcher each time.

/// `text.trim()`, returned at once when its first and last bytes show it neither starts nor
/// ends with whitespace (ASCII, or a CJK character: no Unicode space starts with those bytes).
#[inline(always)]
pub fn trim(text: &str) -> &str {
    let bytes = text.as_bytes();
    let plain_start = match bytes.first() {
        None => return text,
        Some(b) => matches!(b, 0x21..=0x7E | 0xC3..=0xE0 | 0xE4..=0xF4),
    };
    let plain_end = match bytes {
        [.., b] if b.is_ascii() => b.is_ascii_graphic(),
        // The last character is three bytes long and in U+4000–U+FFFF (CJK and the like).
        [.., lead, _, _] => (0xE4..=0xEF).contains(lead),
        _ => false,
    };
    if plain_start && plain_end {
        text
    } else {
        text.trim()
    }
}

#[cfg(test)]
mod tests {
    use super::trim;

    #[test]
    fn trims_as_str_trim_does() {
        let samples = [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\t咖啡\r\n",
            "咖啡",
            "\u{3000}礼盒\u{3000}",
            "\u{a0}88\u{a0}",
            "P000123",
            " x y ",
            "café",
            "é",
            "a\u{2003}",
            "\u{2028}a",
            "\u{1680}x\u{1680}",
            "x\u{85}",
            "😀",
            "a😀 ",
            "\u{202f}",
        ];
        for text in samples {
            assert_eq!(trim(text), text.trim(), "{text:?}");
        }
        // Every character once at each end.
        for c in (0..0x11000u32).filter_map(char::from_u32) {
            for text in [format!("{c}x"), format!("x{c}"), c.to_string()] {
                assert_eq!(trim(&text), text.trim(), "{:?}", c);
            }
        }
    }
}
