//! The ten fundamental criteria of a live video (S2 Annexe 6): a live broadcast goes ahead
//! only when a majority of them — six of ten — are met. The ids are a contract
//! recorded with the calendar entry.

/// One criterion of S2 Annexe 6.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LiveVideoCriterion {
    ContentNature,
    Collaboration,
    Discoverability,
    Accessibility,
    Consistency,
    Targeting,
    Longevity,
    Conversation,
    Interactivity,
    Authenticity,
}

/// How many criteria make a majority.
pub const LIVE_VIDEO_MAJORITY: usize = 6;

impl LiveVideoCriterion {
    /// The ten criteria, in the order of the annex.
    pub const ALL: [LiveVideoCriterion; 10] = [
        LiveVideoCriterion::ContentNature,
        LiveVideoCriterion::Collaboration,
        LiveVideoCriterion::Discoverability,
        LiveVideoCriterion::Accessibility,
        LiveVideoCriterion::Consistency,
        LiveVideoCriterion::Targeting,
        LiveVideoCriterion::Longevity,
        LiveVideoCriterion::Conversation,
        LiveVideoCriterion::Interactivity,
        LiveVideoCriterion::Authenticity,
    ];

    /// The stable id.
    pub fn id(self) -> &'static str {
        match self {
            LiveVideoCriterion::ContentNature => "content_nature",
            LiveVideoCriterion::Collaboration => "collaboration",
            LiveVideoCriterion::Discoverability => "discoverability",
            LiveVideoCriterion::Accessibility => "accessibility",
            LiveVideoCriterion::Consistency => "consistency",
            LiveVideoCriterion::Targeting => "targeting",
            LiveVideoCriterion::Longevity => "longevity",
            LiveVideoCriterion::Conversation => "conversation",
            LiveVideoCriterion::Interactivity => "interactivity",
            LiveVideoCriterion::Authenticity => "authenticity",
        }
    }

    /// Parses a stable id.
    pub fn from_id(id: &str) -> Option<LiveVideoCriterion> {
        LiveVideoCriterion::ALL
            .into_iter()
            .find(|criterion| criterion.id() == id)
    }

    /// The annex's French heading.
    pub fn label_fr(self) -> &'static str {
        match self {
            LiveVideoCriterion::ContentNature => "Nature du contenu",
            LiveVideoCriterion::Collaboration => "Collaboration",
            LiveVideoCriterion::Discoverability => "Potentiel de découvrabilité du sujet",
            LiveVideoCriterion::Accessibility => "Accessibilité",
            LiveVideoCriterion::Consistency => "Constance",
            LiveVideoCriterion::Targeting => "Ciblage",
            LiveVideoCriterion::Longevity => "Pérennité",
            LiveVideoCriterion::Conversation => "Caractère conversationnel",
            LiveVideoCriterion::Interactivity => "Interactivité",
            LiveVideoCriterion::Authenticity => "Authenticité",
        }
    }

    /// The heading in English.
    pub fn label_en(self) -> &'static str {
        match self {
            LiveVideoCriterion::ContentNature => "Nature of the content",
            LiveVideoCriterion::Collaboration => "Collaboration",
            LiveVideoCriterion::Discoverability => "Discoverability of the subject",
            LiveVideoCriterion::Accessibility => "Exclusive access",
            LiveVideoCriterion::Consistency => "Regular schedule",
            LiveVideoCriterion::Targeting => "Targeting",
            LiveVideoCriterion::Longevity => "Replay value",
            LiveVideoCriterion::Conversation => "Conversation",
            LiveVideoCriterion::Interactivity => "Interactivity",
            LiveVideoCriterion::Authenticity => "Authenticity",
        }
    }

    /// The question the annex asks, in French, for the form beside each box.
    pub fn question_fr(self) -> &'static str {
        match self {
            LiveVideoCriterion::ContentNature => {
                "Le contenu est-il assez percutant pour qu'on veuille le faire vivre en direct à d'autres?"
            }
            LiveVideoCriterion::Collaboration => {
                "Le direct établit-il une collaboration entre les protagonistes et leur public?"
            }
            LiveVideoCriterion::Discoverability => {
                "Le sujet est-il susceptible d'être recherché (sujet chaud, d'actualité)?"
            }
            LiveVideoCriterion::Accessibility => {
                "Le public accède-t-il à quelque chose d'exclusif (coulisses, événement, réaction d'un expert)?"
            }
            LiveVideoCriterion::Consistency => {
                "Le direct suit-il un horaire régulier pour ce type de vidéo?"
            }
            LiveVideoCriterion::Targeting => {
                "Le public des pages hôtes sera-t-il intéressé par le sujet et les protagonistes?"
            }
            LiveVideoCriterion::Longevity => {
                "Le public aura-t-il intérêt à regarder le direct en différé?"
            }
            LiveVideoCriterion::Conversation => {
                "Y a-t-il une véritable conversation entre les protagonistes, et non une suite de monologues?"
            }
            LiveVideoCriterion::Interactivity => {
                "Le direct répond-il aux questions et aux commentaires du public, même négatifs?"
            }
            LiveVideoCriterion::Authenticity => {
                "Le contenu est-il cohérent avec le ton habituel des protagonistes sur les médias sociaux?"
            }
        }
    }
}

/// Whether a live video may go ahead: at least six distinct criteria of ten are met.
pub fn live_video_allowed(criteria_met: &[LiveVideoCriterion]) -> bool {
    live_video_meets(criteria_met, LIVE_VIDEO_MAJORITY)
}

/// Whether at least `min_criteria` distinct criteria are met (a profile's
/// `live_video_min_criteria`; 6 for a majority). A criterion listed twice counts once.
pub fn live_video_meets(criteria_met: &[LiveVideoCriterion], min_criteria: usize) -> bool {
    let mut distinct = criteria_met.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    distinct.len() >= min_criteria
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_of_ten_is_a_majority_five_is_not() {
        let all = LiveVideoCriterion::ALL;
        assert!(!live_video_allowed(&all[..5]));
        assert!(live_video_allowed(&all[..6]));
        assert!(live_video_allowed(&all));
        assert!(!live_video_allowed(&[]));
    }

    #[test]
    fn a_criterion_counted_twice_counts_once() {
        let all = LiveVideoCriterion::ALL;
        let repeated = [all[0], all[1], all[2], all[3], all[4], all[4]];
        assert!(!live_video_allowed(&repeated));
        assert!(live_video_meets(&repeated, 5));
        assert!(!live_video_meets(&repeated, 6));
    }

    #[test]
    fn ids_round_trip_and_labels_follow_the_annex() {
        for criterion in LiveVideoCriterion::ALL {
            assert_eq!(LiveVideoCriterion::from_id(criterion.id()), Some(criterion));
        }
        assert_eq!(LiveVideoCriterion::Longevity.label_fr(), "Pérennité");
        assert_eq!(LiveVideoCriterion::from_id("unknown"), None);
    }
}
