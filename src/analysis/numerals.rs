//! Numbers as CJK documents write them: ASCII or full-width digits, and Chinese numerals.

/// Largest note or heading number we accept; longer digit runs are years, ids or noise.
pub const MAX_NUMBER: u32 = 99_999;

/// The value of a full-width or ASCII decimal digit.
pub fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

/// Parses a run made only of decimal digits (ASCII or full-width, mixed allowed).
pub fn parse_digits(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    let mut value: u32 = 0;
    for c in s.chars() {
        value = value.checked_mul(10)?.checked_add(digit_value(c)?)?;
        if value > MAX_NUMBER {
            return None;
        }
    }
    Some(value)
}

/// Length in bytes of the longest prefix of `s` made of decimal digits.
pub fn digits_prefix_len(s: &str) -> usize {
    s.char_indices()
        .find(|&(_, c)| digit_value(c).is_none())
        .map_or(s.len(), |(i, _)| i)
}

fn chinese_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' => 0,
        '一' => 1,
        '二' | '两' | '兩' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn is_chinese_numeral_char(c: char) -> bool {
    chinese_digit(c).is_some() || matches!(c, '十' | '百')
}

/// Length in bytes of the longest prefix of `s` made of Chinese numeral characters.
pub fn chinese_prefix_len(s: &str) -> usize {
    s.char_indices()
        .find(|&(_, c)| !is_chinese_numeral_char(c))
        .map_or(s.len(), |(i, _)| i)
}

/// Parses a Chinese numeral from 1 to 999: `一`, `十`, `十二`, `二十`, `九十九`, `一百零五`.
/// Also accepts the digit-by-digit form (`一〇五`). Returns `None` for anything malformed.
pub fn parse_chinese(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    if !s.contains(['十', '百']) {
        // Digit by digit: 一〇五 = 105.
        let mut value = 0u32;
        for c in s.chars() {
            value = value.checked_mul(10)? + chinese_digit(c)?;
        }
        return (value > 0 && value <= 999).then_some(value);
    }
    let mut total = 0u32;
    let mut pending: Option<u32> = None;
    let mut last_unit = u32::MAX;
    for c in s.chars() {
        let unit = match c {
            '百' => 100,
            '十' => 10,
            // 零 only holds a place, as in 一百零五.
            '〇' | '零' if pending.is_none() && last_unit != u32::MAX => continue,
            _ => {
                if pending.is_some() {
                    return None; // two digits in a row, as in 二三十
                }
                pending = Some(chinese_digit(c)?);
                continue;
            }
        };
        if unit >= last_unit {
            return None; // 十百, 十十
        }
        last_unit = unit;
        // 十 alone means 10; 零 before a unit is not allowed (零十).
        let multiplier = pending.take().unwrap_or(1);
        if multiplier == 0 {
            return None;
        }
        total += multiplier * unit;
    }
    if let Some(units) = pending {
        total += units;
    }
    (total > 0 && total <= 999).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_in_both_widths() {
        assert_eq!(parse_digits("17"), Some(17));
        assert_eq!(parse_digits("１７"), Some(17));
        assert_eq!(parse_digits("1７"), Some(17));
        assert_eq!(parse_digits(""), None);
        assert_eq!(parse_digits("1a"), None);
        assert_eq!(parse_digits("99999999999999999999"), None);
        assert_eq!(digits_prefix_len("１2.x"), 4);
    }

    #[test]
    fn chinese_numerals() {
        let cases = [
            ("一", Some(1)),
            ("九", Some(9)),
            ("十", Some(10)),
            ("十一", Some(11)),
            ("二十", Some(20)),
            ("九十九", Some(99)),
            ("一百", Some(100)),
            ("一百零五", Some(105)),
            ("一百二十三", Some(123)),
            ("一〇五", Some(105)),
            ("十十", None),
            ("二三十", None),
            ("零", None),
            ("", None),
            ("甲", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_chinese(text), expected, "{text}");
        }
    }
}
