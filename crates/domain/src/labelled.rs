//! `labelled_enum!`: one codec per value. Each variant has the code it is
//! stored under (database, URLs, the API) and the Japanese label people see,
//! written once; a new value is added in one place, and an unknown stored
//! code is an error, never a default.

#[macro_export]
macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident, $what:literal { $($(#[$vm:meta])* $variant:ident = ($code:literal, $label:literal)),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vm])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name stored in the database and used in URLs and the API.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }

            /// The Japanese label shown to people.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label),+
                }
            }

            /// Reads a stored code, as written by [`Self::as_str`]; anything
            /// else is an error (a value stored by a newer version, or a
            /// damaged row), never a default.
            pub fn from_code(s: &str) -> Result<$name, $crate::Invalid> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| $crate::Invalid::new(format!("{}の記録「{}」が読めません。", $what, s)))
            }

            /// Reads a stored name or a Japanese label (what a person types
            /// or a form sends).
            pub fn parse(s: &str) -> Result<$name, $crate::Invalid> {
                let s = s.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s || v.label() == s)
                    .ok_or_else(|| $crate::Invalid::new(format!("{}「{}」は使えません。", $what, s)))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        /// Reads the stored code only (see `from_code`).
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let code = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                $name::from_code(&code).map_err(serde::de::Error::custom)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::case::*;
    use crate::company::CompanyStatus;
    use crate::notify::{Cadence, Criterion};
    use crate::tender::{AwardMethod, Participation, Phase, Stage, Validity};
    use std::collections::HashSet;

    /// Codes and labels are unique, every code reads back as its value, and
    /// nothing else reads as a stored code.
    macro_rules! one_codec {
        ($($t:ty),+) => {$(
            let codes: HashSet<&str> = <$t>::ALL.iter().map(|v| v.as_str()).collect();
            let labels: HashSet<&str> = <$t>::ALL.iter().map(|v| v.label()).collect();
            assert_eq!(codes.len(), <$t>::ALL.len(), "{} codes", stringify!($t));
            assert_eq!(labels.len(), <$t>::ALL.len(), "{} labels", stringify!($t));
            for v in <$t>::ALL {
                assert_eq!(<$t>::from_code(v.as_str()), Ok(*v));
                assert_eq!(<$t>::parse(v.label()), Ok(*v));
                assert!(<$t>::from_code(v.label()).is_err(), "{} label read as a code", v.label());
                assert!(<$t>::from_code(&v.as_str().to_uppercase()).is_err());
            }
            assert!(<$t>::from_code("").is_err());
            assert!(<$t>::from_code("unknown_value").is_err());
        )+};
    }

    #[test]
    fn every_labelled_enum_has_one_codec_and_refuses_unknown_codes() {
        one_codec!(
            CaseKind,
            Category,
            Procedure,
            CaseStatus,
            EntryStatus,
            CaseDate,
            Stage,
            Phase,
            AwardMethod,
            Participation,
            Validity,
            Cadence,
            Criterion,
            CompanyStatus
        );
    }

    #[test]
    fn an_unknown_stored_code_says_what_it_is_in_japanese() {
        let e = Validity::from_code("void").expect_err("unknown");
        assert_eq!(e.message(), "入札の有効性の記録「void」が読めません。");
    }
}
