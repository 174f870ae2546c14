//! Tone guidance per network (S2 Annexe 1, R-55), shown beside each variant of a calendar
//! entry. The annex speaks of Facebook, Twitter (X) and LinkedIn; for the other networks the
//! guidance says so and gives the closest advice, marked as the product's own.

use crate::network::Network;

/// The French guidance for writing on a network.
pub fn tone_guidance(network: Network) -> &'static str {
    match network {
        Network::Facebook => {
            "Pour joindre les citoyennes et les citoyens. L'organisme y est vulgarisateur et près de ses publics : phrases simples, un exemple concret, le paragraphe d'introduction et un lien pour en savoir plus."
        }
        Network::X => {
            "Pour joindre les influenceurs de la communauté (affaires municipales, habitation, médias). L'organisme y est succinct et exécutif : le titre ou le fait essentiel, un lien, peu de mots-clics."
        }
        Network::LinkedIn => {
            "Pour joindre les employés potentiels. L'organisme y est humain et authentique : les personnes, les équipes et les emplois, sur un ton chaleureux et professionnel."
        }
        Network::Bluesky | Network::Mastodon => {
            "L'annexe 1 ne donne pas de ton pour ce réseau. Conseil du produit : comme sur X, un texte succinct et exécutif avec un lien; sur Mastodon, des mots-clics en casse mixte (#BaieComeau) pour les lecteurs d'écran."
        }
        Network::Instagram => {
            "L'annexe 1 ne donne pas de ton pour ce réseau. Conseil du produit : l'image porte le message; une légende courte et vulgarisée, au plus cinq mots-clics, un texte alternatif qui décrit l'image."
        }
        Network::YouTube => {
            "L'annexe 1 ne donne pas de ton pour ce réseau. Conseil du produit : un titre clair qui dit le sujet, une description qui résume la vidéo et donne le lien de référence; des sous-titres toujours."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annex_one_tones_for_its_three_networks() {
        assert!(tone_guidance(Network::Facebook).contains("vulgarisateur"));
        assert!(tone_guidance(Network::X).contains("succinct et exécutif"));
        assert!(tone_guidance(Network::LinkedIn).contains("humain et authentique"));
        for network in [
            Network::Bluesky,
            Network::Mastodon,
            Network::Instagram,
            Network::YouTube,
        ] {
            assert!(
                tone_guidance(network).starts_with("L'annexe 1 ne donne pas de ton"),
                "{network}"
            );
        }
    }
}
