//! Lenient wire decoding: numbers that arrive as strings, codes that are
//! strings or numbers, enums that gain values over time.
//!
//! Why: Partner Center documents `code` as a string but often sends a
//! number, the v1 token endpoint sends every number as a string, and new
//! subscription statuses (`disabled`, `expired`) crashed other clients. A
//! single odd field must never fail a whole page of customers.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

/// Accepts a JSON number or a numeric string (trimmed) as `i64`.
struct IntVisitor;

impl<'de> Visitor<'de> for IntVisitor {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an integer or a string holding one")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v)
            .map(Some)
            .map_err(|_| E::custom(format!("{v} is too large")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            Ok(Some(v as i64)) // ok: integral and well inside i64
        } else {
            Err(E::custom(format!("{v} is not a whole number")))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(None);
        }
        t.parse::<i64>()
            .map(Some)
            .map_err(|_| E::custom(format!("{v:?} is not an integer")))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(IntVisitor)
    }
}

/// `Option<i64>` from a number, a numeric string, `""` or `null`.
pub(crate) fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_any(IntVisitor)
}

/// `i64` from a number or numeric string; `null`/`""` are 0.
pub(crate) fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(d.deserialize_any(IntVisitor)?.unwrap_or(0))
}

/// Accepts a string, number or bool as text.
struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or a number")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(TextVisitor)
    }
}

/// `Option<String>` from a string, number, bool or `null`.
pub(crate) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_any(TextVisitor)
}

/// Lower-case, without spaces, `-` or `_`: how enum values are compared.
pub(crate) fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// A string enum that keeps unknown values as `Other(text)`, compares
/// case-insensitively, and writes back the API spelling (or the unknown
/// text verbatim, so a PATCH round-trips what it read).
macro_rules! api_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $wire:literal $(| $alias:literal)*),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
            /// A value this version does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// Parse case-insensitively; unknown text is kept.
            pub fn parse(text: &str) -> Self {
                let folded = $crate::api::lenient::fold(text);
                $(
                    if folded == $crate::api::lenient::fold($wire)
                        $(|| folded == $crate::api::lenient::fold($alias))* {
                        return $name::$variant;
                    }
                )+
                $name::Other(text.to_owned())
            }

            /// The API spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Other(s) => s,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = $crate::api::lenient::opt_text(d)?.unwrap_or_default();
                Ok($name::parse(&text))
            }
        }
    };
}

pub(crate) use api_enum;

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct T {
        #[serde(default, deserialize_with = "super::opt_int")]
        n: Option<i64>,
        #[serde(default, deserialize_with = "super::opt_text")]
        s: Option<String>,
    }

    fn t(json: &str) -> Result<T, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn numbers_as_strings() -> crate::TestResult {
        assert_eq!(t(r#"{"n":"3599"}"#)?.n, Some(3599));
        assert_eq!(t(r#"{"n":" 12 "}"#)?.n, Some(12));
        assert_eq!(t(r#"{"n":12}"#)?.n, Some(12));
        assert_eq!(t(r#"{"n":12.0}"#)?.n, Some(12));
        assert_eq!(t(r#"{"n":null}"#)?.n, None);
        assert_eq!(t(r#"{"n":""}"#)?.n, None);
        assert_eq!(t(r#"{}"#)?.n, None);
        assert!(t(r#"{"n":"twelve"}"#).is_err());
        assert!(t(r#"{"n":1.5}"#).is_err());
        assert!(t(r#"{"n":18446744073709551615}"#).is_err());
        Ok(())
    }

    #[test]
    fn text_from_string_or_number() -> crate::TestResult {
        assert_eq!(t(r#"{"s":800002}"#)?.s.as_deref(), Some("800002"));
        assert_eq!(t(r#"{"s":"800002"}"#)?.s.as_deref(), Some("800002"));
        assert_eq!(t(r#"{"s":null}"#)?.s, None);
        Ok(())
    }
}
