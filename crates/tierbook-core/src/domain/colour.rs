//! Text on a coloured background (tier colours are the user's to choose): black or white,
//! whichever contrasts more, by the WCAG 2 relative-luminance formula.

/// `#rrggbb` (or `#rgb`) as linear-light relative luminance; None if it is no such colour.
fn luminance(colour: &str) -> Option<f64> {
    let hex = colour.trim().strip_prefix('#')?;
    let hex: String = match hex.len() {
        3 => hex.chars().flat_map(|c| [c, c]).collect(),
        6 => hex.to_string(),
        _ => return None,
    };
    let channel = |i: usize| -> Option<f64> {
        let c = f64::from(u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()?) / 255.0;
        Some(if c <= 0.03928 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) })
    };
    Some(0.2126 * channel(0)? + 0.7152 * channel(2)? + 0.0722 * channel(4)?)
}

/// The WCAG contrast ratio of two luminances.
fn contrast(a: f64, b: f64) -> f64 {
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

/// The text colour to put on `background`: white unless near-black text reads better.
pub fn ink_on(background: &str) -> &'static str {
    const DARK: &str = "#000000";
    let dark = luminance(DARK).unwrap_or(0.0);
    match luminance(background) {
        Some(bg) if contrast(bg, dark) > contrast(bg, 1.0) => DARK,
        _ => "#ffffff",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn light_colours_get_dark_text_and_dark_colours_white() {
        assert_eq!(ink_on("#c9a227"), "#000000", "gold");
        assert_eq!(ink_on("#ffffff"), "#000000");
        assert_eq!(ink_on("#fff"), "#000000");
        assert_eq!(ink_on("#5b6770"), "#ffffff", "platinum grey");
        assert_eq!(ink_on("#000000"), "#ffffff");
        assert_eq!(ink_on("not a colour"), "#ffffff");
    }

    #[test]
    fn the_chosen_ink_always_reaches_aa_for_normal_text() {
        for r in (0..=255).step_by(15) {
            for g in (0..=255).step_by(15) {
                for b in (0..=255).step_by(15) {
                    let bg = format!("#{r:02x}{g:02x}{b:02x}");
                    let ink = luminance(ink_on(&bg)).unwrap();
                    assert!(contrast(luminance(&bg).unwrap(), ink) >= 4.5, "{bg}");
                }
            }
        }
    }
}
