//! The networks an organisation publishes on, with their stable ids (`x`, `bluesky`, …).
//! The ids are a contract: profiles, JSON, the store and the command line use them.

use std::fmt;
use std::str::FromStr;

/// A network the organisation publishes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Network {
    X,
    Bluesky,
    Mastodon,
    LinkedIn,
    Facebook,
    Instagram,
    YouTube,
}

impl Network {
    /// Every network, in the order the product lists them.
    pub const ALL: [Network; 7] = [
        Network::X,
        Network::Bluesky,
        Network::Mastodon,
        Network::LinkedIn,
        Network::Facebook,
        Network::Instagram,
        Network::YouTube,
    ];

    /// The stable id.
    pub fn id(self) -> &'static str {
        match self {
            Network::X => "x",
            Network::Bluesky => "bluesky",
            Network::Mastodon => "mastodon",
            Network::LinkedIn => "linkedin",
            Network::Facebook => "facebook",
            Network::Instagram => "instagram",
            Network::YouTube => "youtube",
        }
    }

    /// The name people read.
    pub fn display_name(self) -> &'static str {
        match self {
            Network::X => "X",
            Network::Bluesky => "Bluesky",
            Network::Mastodon => "Mastodon",
            Network::LinkedIn => "LinkedIn",
            Network::Facebook => "Facebook",
            Network::Instagram => "Instagram",
            Network::YouTube => "YouTube",
        }
    }

    /// The valid ids, comma-separated, for error messages.
    pub fn valid_ids() -> String {
        Network::ALL
            .iter()
            .map(|network| network.id())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Network {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.id())
    }
}

/// A network id that is not one of [`Network::ALL`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown network `{given}`; valid networks: {valid}", valid = Network::valid_ids())]
pub struct UnknownNetwork {
    pub given: String,
}

impl UnknownNetwork {
    /// The French message, naming the valid networks.
    pub fn message_fr(&self) -> String {
        format!(
            "réseau inconnu « {} » ; réseaux valides : {}",
            self.given,
            Network::valid_ids()
        )
    }

    /// The English message, naming the valid networks.
    pub fn message_en(&self) -> String {
        self.to_string()
    }
}

impl FromStr for Network {
    type Err = UnknownNetwork;

    /// Parses a stable id. Only the exact lowercase ids are accepted, so that one network
    /// has one spelling everywhere it is stored.
    fn from_str(given: &str) -> Result<Network, UnknownNetwork> {
        Network::ALL
            .into_iter()
            .find(|network| network.id() == given)
            .ok_or_else(|| UnknownNetwork {
                given: given.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_id_parses_back_to_its_network() {
        for network in Network::ALL {
            assert_eq!(network.id().parse::<Network>().unwrap(), network);
        }
    }

    #[test]
    fn unknown_or_capitalised_ids_are_refused_with_the_valid_list() {
        let error = "twitter".parse::<Network>().unwrap_err();
        assert_eq!(
            error.message_fr(),
            "réseau inconnu « twitter » ; réseaux valides : x, bluesky, mastodon, linkedin, facebook, instagram, youtube"
        );
        assert!("X".parse::<Network>().is_err());
    }
}
