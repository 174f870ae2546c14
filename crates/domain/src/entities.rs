//! The records the store keeps: organisations, accounts, messages, authors, cases, assignments,
//! posts, users. These are pure values: the store maps them to rows, the web and the CLI map
//! them to their wire shapes by hand. Text identifiers are newtypes with a `parse`
//! constructor, so a record holding one can be trusted; numeric ids are handed out by the
//! store and carry no invariant beyond being the store's.

use std::fmt;

use jiff::Timestamp;

/// Why a value could not become one of the identifiers or codes of this module.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntityParseError {
    /// The value is empty (or only white space).
    #[error("{what}: la valeur est vide")]
    Empty {
        /// Which kind of value was being parsed.
        what: &'static str,
    },
    /// The value is longer than allowed.
    #[error("{what}: la valeur dépasse {max} caractères")]
    TooLong {
        /// Which kind of value was being parsed.
        what: &'static str,
        /// The maximum length in characters.
        max: usize,
    },
    /// The value holds a character the identifier does not allow.
    #[error("{what}: caractère non permis {character:?} dans {value:?}")]
    BadCharacter {
        /// Which kind of value was being parsed.
        what: &'static str,
        /// The offending character.
        character: char,
        /// The whole value, as given.
        value: String,
    },
    /// The value is not one of the known codes.
    #[error("{what}: valeur inconnue {value:?} (attendu : {expected})")]
    UnknownCode {
        /// Which kind of value was being parsed.
        what: &'static str,
        /// The value, as given.
        value: String,
        /// The accepted codes, comma separated.
        expected: &'static str,
    },
}

/// Parses a lowercase slug: ASCII letters, digits, `-` and `_`, at most `max` characters.
fn parse_slug(what: &'static str, value: &str, max: usize) -> Result<String, EntityParseError> {
    if value.is_empty() {
        return Err(EntityParseError::Empty { what });
    }
    if value.chars().count() > max {
        return Err(EntityParseError::TooLong { what, max });
    }
    if let Some(character) = value
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_'))
    {
        return Err(EntityParseError::BadCharacter { what, character, value: value.to_owned() });
    }
    Ok(value.to_owned())
}

/// Parses free text that identifies something (a login, a platform id): not blank, bounded,
/// no control characters. The text is kept exactly as given.
fn parse_identifier_text(
    what: &'static str,
    value: &str,
    max: usize,
) -> Result<String, EntityParseError> {
    if value.trim().is_empty() {
        return Err(EntityParseError::Empty { what });
    }
    if value.chars().count() > max {
        return Err(EntityParseError::TooLong { what, max });
    }
    if let Some(character) = value.chars().find(|c| c.is_control()) {
        return Err(EntityParseError::BadCharacter { what, character, value: value.to_owned() });
    }
    Ok(value.to_owned())
}

macro_rules! string_newtype {
    ($(#[$meta:meta])* $name:ident, $what:literal, $parser:ident, $max:literal) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Parses the value, refusing what the identifier does not allow.
            pub fn parse(value: &str) -> Result<Self, EntityParseError> {
                $parser($what, value, $max).map(Self)
            }

            /// The value as text, exactly as parsed.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str(&self.0)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = EntityParseError;
            fn try_from(value: &str) -> Result<Self, Self::Error> {
                Self::parse(value)
            }
        }
    };
}

string_newtype!(
    /// An organisation's stable id, a slug such as `mamh` or `baie-comeau`.
    OrganisationId, "organisation", parse_slug, 64
);
string_newtype!(
    /// The id of the policy profile an organisation runs under, a slug such as `mamh`.
    ProfileId, "profil", parse_slug, 64
);
string_newtype!(
    /// A social network, as a slug: `facebook`, `instagram`, `x`, `linkedin`, `youtube`…
    Network, "réseau", parse_slug, 32
);
string_newtype!(
    /// A role id from the organisation's profile, e.g. `community_manager`.
    RoleId, "rôle", parse_slug, 64
);
string_newtype!(
    /// A triage route id (issue 4), e.g. `urgent`, `netiquette`, `respondent`.
    RouteId, "aiguillage", parse_slug, 64
);
string_newtype!(
    /// The id a network gives to a message, a post or an author. Opaque to Balise.
    ExternalId, "identifiant externe", parse_identifier_text, 256
);
string_newtype!(
    /// An account's handle on its network, e.g. `@MAMHQuebec`.
    AccountHandle, "compte", parse_identifier_text, 256
);
string_newtype!(
    /// The name a person types to sign in.
    Login, "identifiant de connexion", parse_identifier_text, 128
);

macro_rules! numeric_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(i64);

        impl $name {
            /// Wraps an id the store handed out.
            pub const fn new(raw: i64) -> Self {
                Self(raw)
            }

            /// The raw id, for the store and the wire.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(formatter, "{}", self.0)
            }
        }
    };
}

numeric_id!(
    /// An institutional account, as numbered by the store.
    AccountId
);
numeric_id!(
    /// A stored message, as numbered by the store.
    MessageId
);
numeric_id!(
    /// A case, as numbered by the store.
    CaseId
);
numeric_id!(
    /// A user of Balise, as numbered by the store.
    UserId
);
numeric_id!(
    /// One assignment of a case to a user, as numbered by the store.
    AssignmentId
);
numeric_id!(
    /// A post of the organisation, as numbered by the store.
    PostId
);

macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($(#[$vmeta:meta])* $variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable snake_case code used in the store, JSON and profiles.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }

            /// Parses a stable code.
            pub fn parse(value: &str) -> Result<Self, EntityParseError> {
                match value {
                    $($code => Ok($name::$variant),)+
                    _ => Err(EntityParseError::UnknownCode {
                        what: $what,
                        value: value.to_owned(),
                        expected: concat!($($code, " "),+),
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str(self.code())
            }
        }
    };
}

code_enum!(
    /// What kind of message the public sent.
    MessageKind, "type de message", {
        /// A comment under one of the organisation's posts.
        Comment => "comment",
        /// A reply to a comment.
        Reply => "reply",
        /// A private message to the account.
        PrivateMessage => "private_message",
        /// An @-mention of the account elsewhere.
        Mention => "mention",
    }
);

code_enum!(
    /// Where a case stands.
    CaseStatus, "statut du dossier", {
        /// Received, not yet handled.
        Open => "open",
        /// Someone is working on it.
        InProgress => "in_progress",
        /// A reply was delivered.
        Answered => "answered",
        /// Nothing more to do.
        Closed => "closed",
    }
);

code_enum!(
    /// The steps of a publication (S2 Annexe 4).
    PostStatus, "statut de la publication", {
        /// Suggested by someone, not yet drafted.
        Suggested => "suggested",
        /// Being written.
        Drafting => "drafting",
        /// Awaiting the sector's approval.
        Approval => "approval",
        /// Awaiting the communications manager's validation.
        Validation => "validation",
        /// Published on the network.
        Published => "published",
    }
);

/// A public body using Balise, with the profile it runs under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organisation {
    /// Stable id.
    pub id: OrganisationId,
    /// Display name, e.g. « Ministère des Affaires municipales et de l'Habitation ».
    pub name: String,
    /// The policy profile in force.
    pub profile_id: ProfileId,
}

/// An institutional account to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAccount {
    /// The organisation that owns the account.
    pub organisation_id: OrganisationId,
    /// The network it lives on.
    pub network: Network,
    /// Its handle on that network.
    pub handle: AccountHandle,
}

/// An institutional account of an organisation on one network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// Store id.
    pub id: AccountId,
    /// The organisation that owns the account.
    pub organisation_id: OrganisationId,
    /// The network it lives on.
    pub network: Network,
    /// Its handle on that network.
    pub handle: AccountHandle,
}

/// A member of the public who wrote a message, as the network identifies them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Author {
    /// The network's id for the person.
    pub external_id: ExternalId,
    /// The name the network shows, exactly as received.
    pub display_name: String,
}

/// A message as received, before the store numbers it.
///
/// The text is the citizen's words, kept byte for byte: nothing in Balise edits it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMessage {
    /// The network it came from. With `external_id`, identifies the message (idempotency).
    pub network: Network,
    /// The institutional account it reached; must be on `network`.
    pub account_id: AccountId,
    /// The network's id for the message.
    pub external_id: ExternalId,
    /// The network's id of the post (thread) it hangs under, if any.
    pub thread: Option<ExternalId>,
    /// Who wrote it.
    pub author: Author,
    /// What they wrote, unedited.
    pub text: String,
    /// Comment, reply, private message or mention.
    pub kind: MessageKind,
    /// When the network says it was posted or received.
    pub received_at: Timestamp,
}

/// A message the store holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Store id.
    pub id: MessageId,
    /// The organisation that owns the receiving account.
    pub organisation_id: OrganisationId,
    /// The message as received.
    pub received: NewMessage,
    /// When the store accepted it.
    pub stored_at: Timestamp,
}

/// A message (for now, one) being handled, with its route, status and current assignee.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// Store id.
    pub id: CaseId,
    /// The organisation handling it.
    pub organisation_id: OrganisationId,
    /// The message that opened it.
    pub message_id: MessageId,
    /// The confirmed triage route, once there is one.
    pub route: Option<RouteId>,
    /// Where it stands.
    pub status: CaseStatus,
    /// Who holds it now, if anyone.
    pub assignee: Option<UserId>,
    /// When it was opened.
    pub opened_at: Timestamp,
    /// When its route, status or assignee last changed.
    pub updated_at: Timestamp,
}

/// One hand-over of a case to a user; the list of them is the case's assignment history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// Store id.
    pub id: AssignmentId,
    /// The case handed over.
    pub case_id: CaseId,
    /// Who received it.
    pub user_id: UserId,
    /// When.
    pub assigned_at: Timestamp,
}

/// A password hash (e.g. an argon2 PHC string). Opaque to the store; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a hash computed elsewhere; refuses an empty one.
    pub fn parse(value: &str) -> Result<Self, EntityParseError> {
        if value.is_empty() {
            return Err(EntityParseError::Empty { what: "empreinte du mot de passe" });
        }
        Ok(Self(value.to_owned()))
    }

    /// The hash, for the store and the password checker only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("PasswordHash(<redacted>)")
    }
}

/// A user to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUser {
    /// The organisation the user works for.
    pub organisation_id: OrganisationId,
    /// Sign-in name, unique across the store.
    pub login: Login,
    /// Name shown in the interface.
    pub display_name: String,
    /// Role from the organisation's profile.
    pub role: RoleId,
    /// Password hash.
    pub password_hash: PasswordHash,
}

/// A user of Balise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// Store id.
    pub id: UserId,
    /// The organisation the user works for.
    pub organisation_id: OrganisationId,
    /// Sign-in name.
    pub login: Login,
    /// Name shown in the interface.
    pub display_name: String,
    /// Role from the organisation's profile.
    pub role: RoleId,
    /// Password hash.
    pub password_hash: PasswordHash,
}

/// A post to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPost {
    /// The organisation publishing.
    pub organisation_id: OrganisationId,
    /// The account it goes (or went) out on, once chosen.
    pub account_id: Option<AccountId>,
    /// Its text.
    pub text: String,
    /// Its step in the publication workflow.
    pub status: PostStatus,
}

/// A post of the organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Post {
    /// Store id.
    pub id: PostId,
    /// The organisation publishing.
    pub organisation_id: OrganisationId,
    /// The account it goes (or went) out on, once chosen.
    pub account_id: Option<AccountId>,
    /// Its text.
    pub text: String,
    /// Its step in the publication workflow.
    pub status: PostStatus,
    /// When it was recorded.
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn slugs_refuse_uppercase_spaces_and_empty() {
        assert!(OrganisationId::parse("baie-comeau").is_ok());
        assert_eq!(
            OrganisationId::parse("Baie Comeau"),
            Err(EntityParseError::BadCharacter {
                what: "organisation",
                character: 'B',
                value: "Baie Comeau".into()
            })
        );
        assert_eq!(Network::parse(""), Err(EntityParseError::Empty { what: "réseau" }));
    }

    #[test]
    fn identifier_text_is_kept_exactly_and_refuses_control_characters() {
        assert_eq!(ExternalId::parse(" 123_abc ").unwrap().as_str(), " 123_abc ");
        assert!(ExternalId::parse("a\nb").is_err());
        assert!(Login::parse("   ").is_err());
    }

    #[test]
    fn codes_round_trip() {
        for kind in MessageKind::ALL {
            assert_eq!(MessageKind::parse(kind.code()).unwrap(), *kind);
        }
        for status in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(status.code()).unwrap(), *status);
        }
        for status in PostStatus::ALL {
            assert_eq!(PostStatus::parse(status.code()).unwrap(), *status);
        }
        assert!(MessageKind::parse("tweet").is_err());
    }

    #[test]
    fn password_hash_is_never_printed() {
        let hash = PasswordHash::parse("$argon2id$secret").unwrap();
        assert!(!format!("{hash:?}").contains("secret"));
    }
}
