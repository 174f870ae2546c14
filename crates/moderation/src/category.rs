//! The stable vocabulary of moderation: the netiquette categories and the urgent kinds
//! . Their ids are contracts: profiles, JSON output, the store and the web all use them.

use std::fmt;
use std::str::FromStr;

/// A netiquette category: the union of the categories of S0, S1 and S2 Annexe 7.
///
/// Each organisation's profile enables a subset under its own clause ids and wording.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Incomprehensible, confused or imprecise.
    Incomprehensible,
    /// Defamatory.
    Defamatory,
    /// Hateful, racist, homophobic, sexist, xenophobic, discriminatory.
    Hateful,
    /// Insulting, vulgar, coarse, offensive, violent, pornographic or sexual.
    Abusive,
    /// Contravening laws and regulations.
    Illegal,
    /// Personal or confidential information.
    PersonalInfo,
    /// Advertising, promotional, commercial, scams, propaganda.
    Advertising,
    /// Partisan or political.
    Political,
    /// Published several times.
    Repeated,
    /// Off-topic, not relevant, or false.
    OffTopic,
}

impl Category {
    /// Every category, in the order of R-10.
    pub const ALL: [Category; 10] = [
        Category::Incomprehensible,
        Category::Defamatory,
        Category::Hateful,
        Category::Abusive,
        Category::Illegal,
        Category::PersonalInfo,
        Category::Advertising,
        Category::Political,
        Category::Repeated,
        Category::OffTopic,
    ];

    /// The stable snake_case id used in profiles, JSON and the store.
    pub fn id(self) -> &'static str {
        match self {
            Category::Incomprehensible => "incomprehensible",
            Category::Defamatory => "defamatory",
            Category::Hateful => "hateful",
            Category::Abusive => "abusive",
            Category::Illegal => "illegal",
            Category::PersonalInfo => "personal_info",
            Category::Advertising => "advertising",
            Category::Political => "political",
            Category::Repeated => "repeated",
            Category::OffTopic => "off_topic",
        }
    }

    /// A short French label, for people.
    pub fn label_fr(self) -> &'static str {
        match self {
            Category::Incomprehensible => "propos incompréhensibles",
            Category::Defamatory => "propos diffamatoires",
            Category::Hateful => "propos haineux ou discriminatoires",
            Category::Abusive => "propos injurieux, vulgaires ou violents",
            Category::Illegal => "propos contrevenant aux lois",
            Category::PersonalInfo => "renseignements personnels",
            Category::Advertising => "publicité ou propagande",
            Category::Political => "propos partisans",
            Category::Repeated => "message publié plusieurs fois",
            Category::OffTopic => "propos hors sujet",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The error of parsing an unknown category or urgent-kind id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownCategory(pub String);

impl fmt::Display for UnknownCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown category `{}`", self.0)
    }
}

impl std::error::Error for UnknownCategory {}

impl FromStr for Category {
    type Err = UnknownCategory;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|category| category.id() == s)
            .ok_or_else(|| UnknownCategory(s.to_owned()))
    }
}

/// An urgent case: it jumps every queue and is never silently hidden.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UrgentKind {
    /// Suicidal statements.
    SelfHarm,
    /// Threats of violence or of a criminal act, against people or buildings.
    Threat,
}

impl UrgentKind {
    /// Every urgent kind.
    pub const ALL: [UrgentKind; 2] = [UrgentKind::SelfHarm, UrgentKind::Threat];

    /// The stable snake_case id.
    pub fn id(self) -> &'static str {
        match self {
            UrgentKind::SelfHarm => "self_harm",
            UrgentKind::Threat => "threat",
        }
    }
}

impl fmt::Display for UrgentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for UrgentKind {
    type Err = UnknownCategory;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UrgentKind::ALL
            .into_iter()
            .find(|kind| kind.id() == s)
            .ok_or_else(|| UnknownCategory(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for category in Category::ALL {
            assert_eq!(category.id().parse::<Category>(), Ok(category));
        }
        for kind in UrgentKind::ALL {
            assert_eq!(kind.id().parse::<UrgentKind>(), Ok(kind));
        }
        assert!("swearing".parse::<Category>().is_err());
    }
}
