//! Tabular files as spreadsheets write them: the text encoding (UTF-8 with or without BOM,
//! UTF-16 with BOM, GBK/GB18030 from Chinese Excel), the separator, and CSV rows with the
//! line each starts on. Writing produces what Excel and WPS open correctly: UTF-8 with BOM,
//! CRLF, and cells that could run as formulas neutralised.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    /// GB18030, which reads GBK and GB2312 files too.
    Gb18030,
}

impl TextEncoding {
    pub const ALL: [TextEncoding; 4] =
        [TextEncoding::Utf8, TextEncoding::Utf16Le, TextEncoding::Utf16Be, TextEncoding::Gb18030];

    pub fn code(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
            TextEncoding::Gb18030 => "gb18030",
        }
    }

    pub fn from_code(code: &str) -> Option<TextEncoding> {
        TextEncoding::ALL.into_iter().find(|e| e.code() == code)
    }
}

/// Why a whole file cannot be read as a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileProblem {
    Empty,
    /// Control bytes a text file never has (an image, a zip, an .xlsx saved as .csv…).
    Binary,
    /// The bytes are not valid in the encoding asked for (or in any encoding tried).
    NotDecodable(TextEncoding),
    /// A header line but no rows under it.
    HeaderOnly,
    /// The first line does not look like column headings (too long, too many columns).
    NoHeader,
    /// A spreadsheet (.xlsx, .xls, .ods) the reader cannot open, with its reason.
    Spreadsheet(String),
}

/// The encoding a file's BOM names, if it starts with one.
fn bom_encoding(bytes: &[u8]) -> Option<TextEncoding> {
    match bytes {
        [0xEF, 0xBB, 0xBF, ..] => Some(TextEncoding::Utf8),
        [0xFF, 0xFE, ..] => Some(TextEncoding::Utf16Le),
        [0xFE, 0xFF, ..] => Some(TextEncoding::Utf16Be),
        _ => None,
    }
}

/// Decodes a file's bytes in the encoding `forced`, else their BOM's, else UTF-8 if they are
/// valid UTF-8, else GB18030 (Chinese Excel's "CSV" and most Chinese POS exports). A BOM is
/// never part of the text. UTF-8 bytes become the text in place (a 60 MB file is not held
/// twice).
pub fn decode(bytes: impl Into<Vec<u8>>, forced: Option<TextEncoding>) -> Result<(String, TextEncoding), FileProblem> {
    decode_with(bytes, forced, gb18030_text)
}

/// GB18030 bytes as text (None: not valid GB18030), with encoding_rs.
pub fn gb18030_text(bytes: &[u8]) -> Option<String> {
    encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes).map(|t| t.into_owned())
}

/// `decode`, with `gb18030` turning GB18030 bytes into text. The page hands that step to the
/// spreadsheet worker, so that its own download does not carry the decoder's tables.
pub fn decode_with(
    bytes: impl Into<Vec<u8>>,
    forced: Option<TextEncoding>,
    gb18030: impl FnOnce(&[u8]) -> Option<String>,
) -> Result<(String, TextEncoding), FileProblem> {
    let bytes: Vec<u8> = bytes.into();
    if bytes.is_empty() {
        return Err(FileProblem::Empty);
    }
    let named = forced.or_else(|| bom_encoding(&bytes));
    // Outside UTF-16, text never has control bytes other than tab and line breaks.
    let utf16 = matches!(named, Some(TextEncoding::Utf16Le | TextEncoding::Utf16Be));
    if !utf16 && bytes.iter().take(64 * 1024).any(|&b| b < 0x09 || (0x0E..0x20).contains(&b) && b != 0x1B) {
        return Err(FileProblem::Binary);
    }
    let (text, encoding) = match named {
        // Checked once, as they become the text: a second pass over 60 MB took ~50 ms.
        None => match String::from_utf8(bytes) {
            Ok(text) => (Some(text), TextEncoding::Utf8),
            Err(not_utf8) => (gb18030(not_utf8.as_bytes()), TextEncoding::Gb18030),
        },
        Some(TextEncoding::Utf8) => {
            let mut bytes = bytes;
            if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
                bytes.drain(..3);
            }
            (String::from_utf8(bytes).ok(), TextEncoding::Utf8)
        }
        Some(encoding @ TextEncoding::Utf16Le) => {
            (Some(utf16_text(&bytes, [0xFF, 0xFE], u16::from_le_bytes)), encoding)
        }
        Some(encoding @ TextEncoding::Utf16Be) => {
            (Some(utf16_text(&bytes, [0xFE, 0xFF], u16::from_be_bytes)), encoding)
        }
        Some(encoding @ TextEncoding::Gb18030) => (gb18030(&bytes), encoding),
    };
    let text = text.ok_or(FileProblem::NotDecodable(encoding))?;
    // Text files have tabs and line breaks, never NUL or most other control characters.
    let sample: String = text.chars().take(64 * 1024).collect();
    let controls = sample.chars().filter(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')).count();
    if controls > 0 || (encoding != TextEncoding::Utf8 && sample.contains('\u{FFFD}')) {
        return Err(FileProblem::Binary);
    }
    if text.trim().is_empty() {
        return Err(FileProblem::Empty);
    }
    Ok((text, encoding))
}

/// UTF-16 bytes as text without their BOM; an unpaired surrogate or a lone last byte becomes
/// U+FFFD (which `decode_with` then refuses).
fn utf16_text(bytes: &[u8], bom: [u8; 2], unit: fn([u8; 2]) -> u16) -> String {
    let bytes = bytes.strip_prefix(&bom[..]).unwrap_or(bytes);
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    let mut text: String = char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect();
    if bytes.len() % 2 == 1 {
        text.push(char::REPLACEMENT_CHARACTER);
    }
    text
}

/// The separator of a CSV file: whichever of comma, semicolon and tab occurs most in the
/// header line outside quotes (comma if none does).
pub fn sniff_delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' if !quoted => break,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// The byte offset where 1-based line `line` starts (the end of the text if it has fewer lines).
pub fn line_start(text: &str, line: u64) -> usize {
    if line <= 1 {
        return 0;
    }
    text.bytes().enumerate().filter(|(_, b)| *b == b'\n').nth(line as usize - 2).map_or(text.len(), |(i, _)| i + 1)
}

/// One row of a file: the line it starts on (1 = the first line) and its cells.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub line: u64,
    /// The line the row ends on (greater than `line` when a quoted cell holds line breaks).
    pub last_line: u64,
    /// The cells, kept in one buffer (a million rows would otherwise be ten million strings).
    pub cells: Cells,
    /// A quote opened in this row is never closed: it ran to the end of the file.
    pub unclosed_quote: bool,
}

/// A row's cells, in one buffer. They are read from a `&str` split only at ASCII bytes (the
/// delimiter, quotes, line breaks), so each cell is valid UTF-8 as it stands: csv's
/// `StringRecord` checked every row again (~4 % of a purchases file's time in the page).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Cells(csv::ByteRecord);

impl Cells {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, column: usize) -> Option<&str> {
        self.0.get(column).map(cell_text)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(cell_text)
    }
}

fn cell_text(bytes: &[u8]) -> &str {
    // SAFETY: a cell is a piece of a `&str` cut at ASCII bytes, with doubled quotes made single
    // (`RowReader` only reads text it was given as `&str`, with an ASCII delimiter); cutting
    // valid UTF-8 at ASCII bytes leaves valid UTF-8.
    debug_assert!(std::str::from_utf8(bytes).is_ok());
    unsafe { std::str::from_utf8_unchecked(bytes) }
}

impl std::fmt::Debug for Cells {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq<Vec<&str>> for Cells {
    fn eq(&self, other: &Vec<&str>) -> bool {
        self.iter().eq(other.iter().copied())
    }
}

impl std::ops::Index<usize> for Cells {
    type Output = str;
    fn index(&self, column: usize) -> &str {
        cell_text(&self.0[column])
    }
}

/// Reads a CSV text a few rows at a time, so a 100 MB file can be read between animation
/// frames with a progress bar.
pub struct RowReader<'a> {
    reader: csv::Reader<&'a [u8]>,
    text: &'a [u8],
    /// (byte offset, line number at it) of the last row start.
    cursor: (usize, u64),
    total_bytes: usize,
    /// The row being read, reused for every row.
    row: Row,
}

const MAX_HEADER_CELL: usize = 200;
const MAX_COLUMNS: usize = 500;

impl<'a> RowReader<'a> {
    /// Reads the header row, on line `header_line` (1-based; the lines above it are a preamble
    /// and are not read). `text` must outlive the reader (it is read in place).
    pub fn new(text: &'a str, delimiter: u8, header_line: u64) -> Result<(RowReader<'a>, Vec<String>), FileProblem> {
        let start = line_start(text, header_line);
        let text = &text[start..];
        // Cells are taken as UTF-8 without a check (`Cells`): only an ASCII byte may cut them.
        let delimiter = if delimiter.is_ascii() { delimiter } else { b',' };
        let reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut rows = RowReader {
            reader,
            text: text.as_bytes(),
            cursor: (0, header_line.max(1)),
            total_bytes: text.len(),
            row: Row { line: 0, last_line: 0, cells: Cells::default(), unclosed_quote: false },
        };
        let header = rows.next_row().cloned().ok_or(FileProblem::Empty)?;
        let mut cells: Vec<String> = header.cells.iter().map(|c| c.trim().to_string()).collect();
        // An empty last column (a trailing separator or tab) is no column.
        while cells.len() > 1 && cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        if header.last_line > header.line
            || cells.len() > MAX_COLUMNS
            || cells.iter().any(|c| c.chars().count() > MAX_HEADER_CELL)
            || cells.iter().all(String::is_empty)
        {
            return Err(FileProblem::NoHeader);
        }
        Ok((rows, cells))
    }

    /// Line feeds left to read (plus an unended last line): at least the rows left (a quoted
    /// line break or a blank line makes it more), for sizing what holds one entry a row. A hint,
    /// never a limit: a file whose lines end in a lone CR counts as one line.
    pub fn lines_left(&self) -> usize {
        let read = self.reader.position().byte() as usize;
        let rest = self.text.get(read..).unwrap_or_default();
        memchr::memchr_iter(b'\n', rest).count() + usize::from(rest.last().is_some_and(|&b| b != b'\n'))
    }

    /// The next row, or None at the end. Blank lines are skipped. The row is lent, not made:
    /// a million rows are read into the same buffer.
    pub fn next_row(&mut self) -> Option<&Row> {
        loop {
            match self.reader.read_byte_record(&mut self.row.cells.0) {
                Ok(true) => {
                    // Lines are counted here: the csv crate's own count lags behind CRLF and
                    // blank lines.
                    let is_break = |b: &u8| matches!(b, b'\r' | b'\n');
                    let mut start = self.row.cells.0.position().map_or(0, |p| p.byte() as usize);
                    while self.text.get(start).is_some_and(is_break) {
                        start += 1;
                    }
                    let mut end = self.reader.position().byte() as usize;
                    while end > start && self.text.get(end - 1).is_some_and(is_break) {
                        end -= 1;
                    }
                    let line = self.line_at(start);
                    // One pass over the row's bytes: its line breaks, and its quotes (closed
                    // quotes come in pairs; an escaped quote is doubled).
                    let (mut breaks, mut quotes) = (0u64, 0usize);
                    let bytes = &self.text[start..end];
                    for at in memchr::memchr2_iter(b'\n', b'"', bytes) {
                        if bytes[at] == b'\n' {
                            breaks += 1;
                        } else {
                            quotes += 1;
                        }
                    }
                    let last_line = line + breaks;
                    let unclosed_quote = quotes % 2 == 1;
                    // The next row's line is counted on from here, not from this row's start.
                    self.cursor = (end, last_line);
                    // Blank lines, and the `---|---` line under a Markdown table's headings, hold no row.
                    let rule = |c: &str| c.chars().all(|ch| matches!(ch, '-' | ':' | ' ' | '\t'));
                    let blank = self.row.cells.len() == 1 && self.row.cells[0].trim().is_empty();
                    if blank || (self.row.cells.iter().all(rule) && self.row.cells.iter().any(|c| c.contains("--"))) {
                        continue;
                    }
                    (self.row.line, self.row.last_line, self.row.unclosed_quote) = (line, last_line, unclosed_quote);
                    return Some(&self.row);
                }
                // Reading from a byte slice cannot fail: the end of the text.
                Ok(false) | Err(_) => return None,
            }
        }
    }

    /// The line number of a byte offset, counting forward from the last offset asked about
    /// (offsets only grow, so the whole file is scanned once).
    fn line_at(&mut self, offset: usize) -> u64 {
        let (from, line) = self.cursor;
        let line = line + self.text[from..offset].iter().filter(|b| **b == b'\n').count() as u64;
        self.cursor = (offset, line);
        line
    }

    /// How far into the text the reader is, 0.0–1.0.
    pub fn progress(&self) -> f64 {
        if self.total_bytes == 0 {
            1.0
        } else {
            self.reader.position().byte() as f64 / self.total_bytes as f64
        }
    }
}

/// A cell as written to a file: one a spreadsheet would run as a formula (starting with `=`,
/// `+`, `-`, `@`, tab or CR) gets a leading apostrophe, so it shows as the text it is (OWASP).
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// A CSV file for Excel and WPS: UTF-8 with BOM, CRLF line ends, every cell neutralised.
pub fn write_csv<'a>(header: &[String], rows: impl Iterator<Item = Vec<String>> + 'a) -> Vec<u8> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        let _ = writer.write_record(header.iter().map(|h| neutralise(h).into_owned()));
        for row in rows {
            let _ = writer.write_record(row.iter().map(|c| neutralise(c).into_owned()));
        }
        let _ = writer.flush();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(text: &str) -> Vec<u8> {
        encoding_rs::GB18030.encode(text).0.into_owned()
    }

    #[test]
    fn the_lines_left_are_never_fewer_than_the_rows_left() {
        for text in ["h\n1\n2\n3", "h\r\n1\r\n2\r\n3\r\n", "h\n\"a\nb\"\n\n2\n", "h\n"] {
            let (mut rows, _) = RowReader::new(text, b',', 1).unwrap();
            let mut left = Vec::new();
            loop {
                left.push(rows.lines_left());
                if rows.next_row().is_none() {
                    break;
                }
            }
            let count = left.len() - 1;
            for (read, lines) in left.iter().enumerate() {
                assert!(*lines >= count - read, "{text:?}: {lines} lines left for {} rows", count - read);
            }
            assert!(left[0] <= text.lines().count(), "{text:?}");
        }
    }

    #[test]
    fn encodings_are_detected_and_the_bom_dropped() {
        let text = "客户名称,金额\r\n张伟,￥10,000\r\n";
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(bom, None), Ok((text.to_string(), TextEncoding::Utf8)));
        assert_eq!(decode(text.as_bytes(), None), Ok((text.to_string(), TextEncoding::Utf8)));
        assert_eq!(decode(gbk(text), None), Ok((text.to_string(), TextEncoding::Gb18030)));
        let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(utf16, None), Ok((text.to_string(), TextEncoding::Utf16Le)));
        let mut utf16be: Vec<u8> = vec![0xFE, 0xFF];
        utf16be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(utf16be, None), Ok((text.to_string(), TextEncoding::Utf16Be)));
    }

    #[test]
    fn only_gb18030_bytes_go_to_the_gb18030_decoder_and_broken_utf16_is_refused() {
        let text = "客户名称,金额\r\n张伟,10\r\n";
        let refuse = |_: &[u8]| -> Option<String> { panic!("not a GB18030 file") };
        assert_eq!(decode_with(text.as_bytes(), None, refuse).map(|d| d.1), Ok(TextEncoding::Utf8));
        let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode_with(utf16.clone(), None, refuse), Ok((text.to_string(), TextEncoding::Utf16Le)));
        // The decoder the page hands GB18030 bytes to: its text, or its refusal, is what counts.
        assert_eq!(decode_with(gbk(text), None, gb18030_text), Ok((text.to_string(), TextEncoding::Gb18030)));
        assert_eq!(decode_with(gbk(text), None, |_| None), Err(FileProblem::NotDecodable(TextEncoding::Gb18030)));
        // An unpaired surrogate, or half a code unit at the end, is not text.
        let mut unpaired = utf16.clone();
        unpaired.extend(0xD800u16.to_le_bytes());
        unpaired.extend(b"a\0".iter());
        assert_eq!(decode_with(unpaired, None, refuse), Err(FileProblem::Binary));
        utf16.push(b'a');
        assert_eq!(decode_with(utf16, None, refuse), Err(FileProblem::Binary));
    }

    #[test]
    fn utf8_bytes_become_the_text_in_place() {
        for bytes in [b"\xEF\xBB\xBF\xE5\xA7\x93\xE5\x90\x8D,city\n".to_vec(), "姓名,city\n".as_bytes().to_vec()] {
            let at = bytes.as_ptr();
            let (text, _) = decode(bytes, None).unwrap();
            assert_eq!(text, "姓名,city\n");
            assert_eq!(text.as_ptr(), at, "a 60 MB file is not copied to be read");
        }
    }

    #[test]
    fn a_forced_encoding_wins_and_says_when_it_does_not_fit() {
        let bytes = gbk("姓名\n王芳\n");
        assert_eq!(decode(bytes, Some(TextEncoding::Utf8)), Err(FileProblem::NotDecodable(TextEncoding::Utf8)));
        assert_eq!(decode("姓名\n".as_bytes(), Some(TextEncoding::Gb18030)).map(|d| d.1), Ok(TextEncoding::Gb18030));
    }

    #[test]
    fn empty_and_binary_files_are_refused() {
        assert_eq!(decode(b"", None), Err(FileProblem::Empty));
        assert_eq!(decode(b"  \r\n", None), Err(FileProblem::Empty));
        assert_eq!(decode(b"PK\x03\x04\x14\x00\x06\x00binary", None), Err(FileProblem::Binary));
        assert_eq!(
            decode(vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13], None),
            Err(FileProblem::Binary)
        );
    }

    #[test]
    fn the_separator_is_whatever_the_header_uses() {
        assert_eq!(sniff_delimiter("a,b,c\n1;2;3;4;5\n"), b',');
        assert_eq!(sniff_delimiter("a;b;c\n"), b';');
        assert_eq!(sniff_delimiter("a\tb\tc\n"), b'\t');
        assert_eq!(sniff_delimiter("\"a,b\";c\n"), b';');
        assert_eq!(sniff_delimiter("name\n"), b',');
    }

    #[test]
    fn rows_know_their_lines_even_across_quoted_line_breaks() {
        let text = "name,notes\r\nAnn,\"two\r\nlines\"\r\n\r\nBob,\"say \"\"hi\"\"\"\nCy,x";
        let (mut rows, header) = RowReader::new(text, b',', 1).unwrap();
        assert_eq!(header, ["name", "notes"]);
        let all: Vec<Row> = std::iter::from_fn(|| rows.next_row().cloned()).collect();
        assert_eq!(all.iter().map(|r| (r.line, r.last_line)).collect::<Vec<_>>(), [(2, 3), (5, 5), (6, 6)]);
        assert_eq!(all[0].cells, vec!["Ann", "two\r\nlines"]);
        assert_eq!(all[1].cells, vec!["Bob", "say \"hi\""]);
        assert!(all.iter().all(|r| !r.unclosed_quote));
        assert_eq!(rows.progress(), 1.0);
    }

    #[test]
    fn an_unclosed_quote_swallows_the_rest_and_shows_as_one_long_row() {
        let text = "name,city\nAnn,\"Paris\nBob,Rome\nCy,Oslo\n";
        let (mut rows, _) = RowReader::new(text, b',', 1).unwrap();
        let row = rows.next_row().cloned().unwrap();
        assert_eq!((row.line, row.cells.len()), (2, 2));
        assert!(row.last_line >= 4 && row.unclosed_quote, "{row:?}");
        assert_eq!(rows.next_row(), None);
    }

    #[test]
    fn a_file_without_a_header_line_is_refused() {
        let long = "x".repeat(5_000);
        assert_eq!(RowReader::new(&long, b',', 1).err(), Some(FileProblem::NoHeader));
        assert_eq!(RowReader::new(",,\n1,2,3", b',', 1).err(), Some(FileProblem::NoHeader));
    }

    #[test]
    fn written_csv_opens_in_excel_and_never_runs_formulas() {
        let header = vec!["客户名称".to_string(), "备注".to_string()];
        let rows = vec![
            vec!["=HYPERLINK(\"http://x\")".to_string(), "+1".to_string()],
            vec!["-2".to_string(), "@SUM(A1)".to_string()],
            vec!["\tx".to_string(), "\rx".to_string()],
            vec!["王芳, \"小芳\"".to_string(), "a=b".to_string()],
        ];
        let bytes = write_csv(&header, rows.into_iter());
        assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF]);
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        assert_eq!(
            text,
            "客户名称,备注\r\n\"'=HYPERLINK(\"\"http://x\"\")\",'+1\r\n'-2,'@SUM(A1)\r\n'\tx,\"'\rx\"\r\n\"王芳, \"\"小芳\"\"\",a=b\r\n"
        );
    }
}
