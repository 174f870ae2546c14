//! Punycode encoding (RFC 3492), which X uses to decide whether a link's host is valid:
//! each label of the host, once encoded, must have 1 to 63 characters.

const BASE: u32 = 36;
const T_MIN: u32 = 1;
const T_MAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 128;

/// The ASCII form of one host label: unchanged when it is ASCII, else `xn--` followed by
/// its Punycode encoding. `None` when the encoding overflows (absurdly long labels).
pub(crate) fn label_to_ascii(label: &str) -> Option<String> {
    if label.is_ascii() {
        return Some(label.to_owned());
    }
    encode(label).map(|encoded| format!("xn--{encoded}"))
}

fn adapt(delta: u32, points: u32, first_time: bool) -> u32 {
    let mut delta = if first_time { delta / DAMP } else { delta / 2 };
    delta += delta / points;
    let mut k = 0;
    while delta > ((BASE - T_MIN) * T_MAX) / 2 {
        delta /= BASE - T_MIN;
        k += BASE;
    }
    k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
}

fn digit(value: u32) -> char {
    // Values are below 36 by construction of the loop in `encode`.
    match value {
        0..=25 => char::from(b'a' + value as u8),
        _ => char::from(b'0' + (value - 26) as u8),
    }
}

fn encode(input: &str) -> Option<String> {
    let code_points: Vec<u32> = input.chars().map(u32::from).collect();
    let mut output: String = input.chars().filter(char::is_ascii).collect();
    let basic_count = u32::try_from(output.len()).ok()?;
    let total = u32::try_from(code_points.len()).ok()?;
    if basic_count > 0 {
        output.push('-');
    }
    let mut n = INITIAL_N;
    let mut delta: u32 = 0;
    let mut bias = INITIAL_BIAS;
    let mut handled = basic_count;
    while handled < total {
        let next = code_points.iter().copied().filter(|&c| c >= n).min()?;
        delta = delta.checked_add((next - n).checked_mul(handled + 1)?)?;
        n = next;
        for &c in &code_points {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        T_MIN
                    } else if k >= bias + T_MAX {
                        T_MAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    output.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                output.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic_count);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n += 1;
    }
    Some(output)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn known_encodings_from_rfc_and_registries() {
        // RFC 3492 sample (Arabic, Egyptian) and well-known IDN hosts.
        assert_eq!(
            label_to_ascii("ليهمابتكلموشعربي؟").unwrap(),
            "xn--egbpdaj6bu4bxfgehfvwxn"
        );
        assert_eq!(label_to_ascii("bücher").unwrap(), "xn--bcher-kva");
        assert_eq!(label_to_ascii("québec").unwrap(), "xn--qubec-csa");
        assert_eq!(label_to_ascii("例え").unwrap(), "xn--r8jz45g");
        assert_eq!(label_to_ascii("plain").unwrap(), "plain");
    }
}
