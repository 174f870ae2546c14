//! The approval chain as a state machine (S2 Annexe 4, R-51, R-53, R-42): an entry waits at
//! one step of its content type's chain; only a carrier of that step decides; nobody approves
//! or validates their own draft; "changes requested" sends it back to drafting; steps marked
//! as skippable are skipped for variants already validated; the publication step publishes;
//! the sector may withdraw an entry until it is published.

use serde::Serialize;

use crate::entities::UserId;
use crate::profile::{ApprovalChainDefinition, ChainStep, Role, StepKind};

/// Where an entry stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum EntryStatus {
    /// Waiting at a step of its chain, by step id.
    AtStep {
        step: String,
    },
    Published,
    /// Withdrawn by the sector or the communications team.
    Withdrawn,
    Refused,
}

impl EntryStatus {
    /// The stored code: `at_step`, `published`, `withdrawn`, `refused`.
    pub fn code(&self) -> &'static str {
        match self {
            EntryStatus::AtStep { .. } => "at_step",
            EntryStatus::Published => "published",
            EntryStatus::Withdrawn => "withdrawn",
            EntryStatus::Refused => "refused",
        }
    }

    /// Rebuilds a status from its stored code and step.
    pub fn from_stored(code: &str, step: Option<&str>) -> Option<EntryStatus> {
        match (code, step) {
            ("at_step", Some(step)) => Some(EntryStatus::AtStep {
                step: step.to_owned(),
            }),
            ("published", _) => Some(EntryStatus::Published),
            ("withdrawn", _) => Some(EntryStatus::Withdrawn),
            ("refused", _) => Some(EntryStatus::Refused),
            _ => None,
        }
    }

    pub fn step(&self) -> Option<&str> {
        match self {
            EntryStatus::AtStep { step } => Some(step),
            _ => None,
        }
    }

    pub fn is_final(&self) -> bool {
        !matches!(self, EntryStatus::AtStep { .. })
    }

    /// French label for people.
    pub fn label_fr(&self, chain: &ApprovalChainDefinition) -> String {
        match self {
            EntryStatus::AtStep { step } => chain
                .step(step)
                .map(|s| format!("En attente : {}", s.label))
                .unwrap_or_else(|| format!("En attente : {step}")),
            EntryStatus::Published => "Diffusée".to_owned(),
            EntryStatus::Withdrawn => "Retirée".to_owned(),
            EntryStatus::Refused => "Refusée".to_owned(),
        }
    }
}

/// The decision on a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// Done / approved / validated / published, depending on the step.
    Approve,
    /// Back to drafting (approval and validation steps).
    RequestChanges,
    /// The entry stops here.
    Refuse,
}

impl DecisionKind {
    pub const ALL: [DecisionKind; 3] = [
        DecisionKind::Approve,
        DecisionKind::RequestChanges,
        DecisionKind::Refuse,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DecisionKind::Approve => "approve",
            DecisionKind::RequestChanges => "request_changes",
            DecisionKind::Refuse => "refuse",
        }
    }

    pub fn parse(code: &str) -> Option<DecisionKind> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            DecisionKind::Approve => "Approuvé",
            DecisionKind::RequestChanges => "Modifications demandées",
            DecisionKind::Refuse => "Refusé",
        }
    }
}

/// Who acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainActor {
    pub user_id: UserId,
    pub role: Role,
}

/// What the chain needs to know of an entry besides its status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainState {
    pub status: EntryStatus,
    /// Who submitted the current draft (approves nothing of it).
    pub drafted_by: Option<UserId>,
    /// A variant already validated: skippable steps are skipped.
    pub already_validated: bool,
    /// A live video whose Annexe 6 criteria fall short of the majority.
    pub live_video_below_majority: bool,
}

/// A decision to apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub step: String,
    pub kind: DecisionKind,
    pub comment: Option<String>,
}

/// The result of a decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub status: EntryStatus,
    pub drafted_by: Option<UserId>,
    /// The step was an external validation recorded by a person on the outside body's behalf.
    pub external_validator: Option<String>,
    /// The entry is to be published: the caller puts it in the outbox.
    pub publish: bool,
    /// Steps skipped on the way (variants already validated).
    pub skipped_steps: Vec<String>,
}

/// Why a decision is refused, with a French message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("l'étape « {step} » n'existe pas dans cette chaîne")]
    UnknownStep { step: String },
    #[error("la publication n'est pas à l'étape « {step} » (elle est : {current})")]
    NotCurrentStep { step: String, current: String },
    #[error("le rôle « {role} » ne porte pas l'étape « {step} »")]
    NotACarrier { role: String, step: String },
    #[error("personne n'approuve ni ne valide sa propre rédaction")]
    OwnDraft,
    #[error(
        "« modifications demandées » ne s'applique qu'aux étapes d'approbation et de validation"
    )]
    ChangesNotApplicable,
    #[error("« refuser » ne s'applique pas à la diffusion : retirez plutôt la publication")]
    RefuseNotApplicable,
    #[error("un direct doit satisfaire une majorité des critères de l'annexe 6")]
    LiveVideoBelowMajority,
    #[error("la publication est déjà {status}")]
    Final { status: String },
    #[error("seul le secteur ou l'équipe des communications peut retirer une publication")]
    MayNotWithdraw,
    #[error("la chaîne n'a pas d'étape de rédaction")]
    NoDraftingStep,
}

impl ChainError {
    pub fn code(&self) -> &'static str {
        match self {
            ChainError::UnknownStep { .. } => "unknown_step",
            ChainError::NotCurrentStep { .. } => "not_current_step",
            ChainError::NotACarrier { .. } => "not_a_carrier",
            ChainError::OwnDraft => "own_draft",
            ChainError::ChangesNotApplicable => "changes_not_applicable",
            ChainError::RefuseNotApplicable => "refuse_not_applicable",
            ChainError::LiveVideoBelowMajority => "live_video_below_majority",
            ChainError::Final { .. } => "entry_final",
            ChainError::MayNotWithdraw => "may_not_withdraw",
            ChainError::NoDraftingStep => "no_drafting_step",
        }
    }

    /// Whether the refusal is about who asks (HTTP 403) rather than the entry's state (409).
    pub fn is_forbidden(&self) -> bool {
        matches!(
            self,
            ChainError::NotACarrier { .. } | ChainError::OwnDraft | ChainError::MayNotWithdraw
        )
    }
}

fn first_drafting(chain: &ApprovalChainDefinition) -> Result<&ChainStep, ChainError> {
    chain
        .steps
        .iter()
        .find(|step| step.kind == StepKind::Drafting)
        .ok_or(ChainError::NoDraftingStep)
}

/// Where a new entry starts: creating it completes the suggestion (whoever carries the
/// suggestion or the drafting may create), so it waits at drafting.
pub fn start(
    chain: &ApprovalChainDefinition,
    creator_role: Role,
) -> Result<EntryStatus, ChainError> {
    let drafting = first_drafting(chain)?;
    let may_create = chain
        .steps
        .iter()
        .filter(|step| step.kind <= StepKind::Drafting)
        .any(|step| step.carriers.contains(&creator_role));
    if !may_create {
        return Err(ChainError::NotACarrier {
            role: creator_role.id().to_owned(),
            step: drafting.id.clone(),
        });
    }
    Ok(EntryStatus::AtStep {
        step: drafting.id.clone(),
    })
}

/// Applies a decision on the current step.
pub fn decide(
    chain: &ApprovalChainDefinition,
    state: &ChainState,
    actor: ChainActor,
    decision: &Decision,
) -> Result<Transition, ChainError> {
    let Some(position) = chain.position(&decision.step) else {
        return Err(ChainError::UnknownStep {
            step: decision.step.clone(),
        });
    };
    let step = &chain.steps[position];
    match &state.status {
        EntryStatus::AtStep { step: current } if *current == step.id => {}
        EntryStatus::AtStep { step: current } => {
            return Err(ChainError::NotCurrentStep {
                step: step.id.clone(),
                current: current.clone(),
            });
        }
        other => {
            return Err(ChainError::Final {
                status: other.code().to_owned(),
            });
        }
    }
    if !step.carriers.contains(&actor.role) {
        return Err(ChainError::NotACarrier {
            role: actor.role.id().to_owned(),
            step: step.id.clone(),
        });
    }
    let judges_the_draft = matches!(step.kind, StepKind::Approval | StepKind::Validation);
    if judges_the_draft && state.drafted_by == Some(actor.user_id) {
        return Err(ChainError::OwnDraft);
    }
    let external_validator = step.external_validator.clone();
    match decision.kind {
        DecisionKind::RequestChanges => {
            if !judges_the_draft {
                return Err(ChainError::ChangesNotApplicable);
            }
            let drafting = first_drafting(chain)?;
            Ok(Transition {
                status: EntryStatus::AtStep {
                    step: drafting.id.clone(),
                },
                drafted_by: state.drafted_by,
                external_validator,
                publish: false,
                skipped_steps: Vec::new(),
            })
        }
        DecisionKind::Refuse => {
            if step.kind == StepKind::Publication {
                return Err(ChainError::RefuseNotApplicable);
            }
            Ok(Transition {
                status: EntryStatus::Refused,
                drafted_by: state.drafted_by,
                external_validator,
                publish: false,
                skipped_steps: Vec::new(),
            })
        }
        DecisionKind::Approve => {
            if state.live_video_below_majority
                && matches!(step.kind, StepKind::Drafting | StepKind::Publication)
            {
                return Err(ChainError::LiveVideoBelowMajority);
            }
            let drafted_by = if step.kind == StepKind::Drafting {
                Some(actor.user_id)
            } else {
                state.drafted_by
            };
            if step.kind == StepKind::Publication {
                return Ok(Transition {
                    status: EntryStatus::Published,
                    drafted_by,
                    external_validator,
                    publish: true,
                    skipped_steps: Vec::new(),
                });
            }
            let mut skipped_steps = Vec::new();
            let mut next = position + 1;
            while let Some(candidate) = chain.steps.get(next) {
                if state.already_validated && candidate.skipped_when_already_validated {
                    skipped_steps.push(candidate.id.clone());
                    next += 1;
                } else {
                    break;
                }
            }
            // The parser guarantees the chain ends with a publication, never skippable in
            // practice; if a profile marked it so, the entry stops at the last step anyway.
            let next_step = chain
                .steps
                .get(next)
                .or(chain.steps.last())
                .map(|s| s.id.clone())
                .unwrap_or_default();
            Ok(Transition {
                status: EntryStatus::AtStep { step: next_step },
                drafted_by,
                external_validator,
                publish: false,
                skipped_steps,
            })
        }
    }
}

/// Withdraws an entry: until it is published, by a role that carries one of its
/// chain's approval steps (the sector) or one that manages the calendar.
pub fn withdraw(
    chain: &ApprovalChainDefinition,
    status: &EntryStatus,
    role: Role,
    manages_calendar: bool,
) -> Result<EntryStatus, ChainError> {
    if status.is_final() {
        return Err(ChainError::Final {
            status: status.code().to_owned(),
        });
    }
    let sector = chain
        .steps
        .iter()
        .any(|step| step.kind == StepKind::Approval && step.carriers.contains(&role));
    if !(sector || manages_calendar) {
        return Err(ChainError::MayNotWithdraw);
    }
    Ok(EntryStatus::Withdrawn)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::profile::{ContentType, Profile};

    fn mamh_chain(content_type: ContentType) -> ApprovalChainDefinition {
        Profile::preset("mamh")
            .unwrap()
            .editorial()
            .unwrap()
            .chain(content_type)
            .clone()
    }

    const CM: ChainActor = ChainActor {
        user_id: UserId::new(1),
        role: Role::CommunityManager,
    };
    const CM2: ChainActor = ChainActor {
        user_id: UserId::new(5),
        role: Role::CommunityManager,
    };
    const SECTOR: ChainActor = ChainActor {
        user_id: UserId::new(2),
        role: Role::SectorManager,
    };
    const MANAGER: ChainActor = ChainActor {
        user_id: UserId::new(3),
        role: Role::CommunicationsManager,
    };
    const STAFF: ChainActor = ChainActor {
        user_id: UserId::new(4),
        role: Role::Staff,
    };

    fn state(status: EntryStatus) -> ChainState {
        ChainState {
            status,
            drafted_by: None,
            already_validated: false,
            live_video_below_majority: false,
        }
    }

    fn decision(step: &str, kind: DecisionKind) -> Decision {
        Decision {
            step: step.into(),
            kind,
            comment: None,
        }
    }

    fn apply(
        chain: &ApprovalChainDefinition,
        s: &mut ChainState,
        actor: ChainActor,
        step: &str,
        kind: DecisionKind,
    ) -> Result<Transition, ChainError> {
        let transition = decide(chain, s, actor, &decision(step, kind))?;
        s.status = transition.status.clone();
        s.drafted_by = transition.drafted_by;
        Ok(transition)
    }

    #[test]
    fn the_regular_chain_goes_drafting_approval_validation_publication() {
        let chain = mamh_chain(ContentType::Regular);
        let mut s = state(start(&chain, Role::Staff).unwrap());
        assert_eq!(s.status.step(), Some("drafting"));
        apply(&chain, &mut s, CM, "drafting", DecisionKind::Approve).unwrap();
        assert_eq!(s.status.step(), Some("approval"));
        apply(&chain, &mut s, SECTOR, "approval", DecisionKind::Approve).unwrap();
        assert_eq!(s.status.step(), Some("validation"));
        apply(&chain, &mut s, MANAGER, "validation", DecisionKind::Approve).unwrap();
        let last = apply(&chain, &mut s, CM, "publication", DecisionKind::Approve).unwrap();
        assert!(last.publish);
        assert_eq!(s.status, EntryStatus::Published);
    }

    #[test]
    fn only_carriers_decide_and_nobody_approves_their_own_draft() {
        let chain = mamh_chain(ContentType::Regular);
        let mut s = state(start(&chain, Role::CommunityManager).unwrap());
        let error = apply(&chain, &mut s, STAFF, "drafting", DecisionKind::Approve).unwrap_err();
        assert!(matches!(error, ChainError::NotACarrier { .. }) && error.is_forbidden());
        apply(&chain, &mut s, CM, "drafting", DecisionKind::Approve).unwrap();
        // Wrong step named.
        assert_eq!(
            apply(&chain, &mut s, MANAGER, "validation", DecisionKind::Approve)
                .unwrap_err()
                .code(),
            "not_current_step"
        );
        // A sector manager who drafted may not approve: give the drafter the sector role.
        let drafter_as_sector = ChainActor {
            user_id: CM.user_id,
            role: Role::SectorManager,
        };
        assert_eq!(
            apply(
                &chain,
                &mut s,
                drafter_as_sector,
                "approval",
                DecisionKind::Approve
            )
            .unwrap_err(),
            ChainError::OwnDraft
        );
        // Only the communications team publishes.
        apply(&chain, &mut s, SECTOR, "approval", DecisionKind::Approve).unwrap();
        apply(&chain, &mut s, MANAGER, "validation", DecisionKind::Approve).unwrap();
        assert_eq!(
            apply(&chain, &mut s, SECTOR, "publication", DecisionKind::Approve)
                .unwrap_err()
                .code(),
            "not_a_carrier"
        );
        assert_eq!(
            apply(&chain, &mut s, CM2, "publication", DecisionKind::Refuse)
                .unwrap_err()
                .code(),
            "refuse_not_applicable"
        );
    }

    #[test]
    fn changes_requested_go_back_to_drafting_and_refusal_ends() {
        let chain = mamh_chain(ContentType::Regular);
        let mut s = state(start(&chain, Role::CommunityManager).unwrap());
        assert_eq!(
            apply(&chain, &mut s, CM, "drafting", DecisionKind::RequestChanges)
                .unwrap_err()
                .code(),
            "changes_not_applicable"
        );
        apply(&chain, &mut s, CM, "drafting", DecisionKind::Approve).unwrap();
        apply(&chain, &mut s, SECTOR, "approval", DecisionKind::Approve).unwrap();
        apply(
            &chain,
            &mut s,
            MANAGER,
            "validation",
            DecisionKind::RequestChanges,
        )
        .unwrap();
        assert_eq!(s.status.step(), Some("drafting"));
        apply(&chain, &mut s, CM2, "drafting", DecisionKind::Approve).unwrap();
        assert_eq!(s.drafted_by, Some(CM2.user_id));
        apply(&chain, &mut s, SECTOR, "approval", DecisionKind::Refuse).unwrap();
        assert_eq!(s.status, EntryStatus::Refused);
        assert_eq!(
            apply(&chain, &mut s, SECTOR, "approval", DecisionKind::Approve)
                .unwrap_err()
                .code(),
            "entry_final"
        );
    }

    #[test]
    fn infographics_pass_communications_sector_then_the_scg_unless_already_validated() {
        let chain = mamh_chain(ContentType::Infographic);
        let mut s = state(start(&chain, Role::CommunityManager).unwrap());
        apply(&chain, &mut s, CM, "drafting", DecisionKind::Approve).unwrap();
        apply(
            &chain,
            &mut s,
            MANAGER,
            "approval_communications",
            DecisionKind::Approve,
        )
        .unwrap();
        apply(
            &chain,
            &mut s,
            SECTOR,
            "approval_sector",
            DecisionKind::Approve,
        )
        .unwrap();
        assert_eq!(s.status.step(), Some("validation_scg"));
        let recorded = apply(
            &chain,
            &mut s,
            MANAGER,
            "validation_scg",
            DecisionKind::Approve,
        )
        .unwrap();
        assert!(recorded.external_validator.unwrap().contains("SCG"));
        assert_eq!(s.status.step(), Some("publication"));

        let mut variant = state(start(&chain, Role::CommunityManager).unwrap());
        variant.already_validated = true;
        apply(&chain, &mut variant, CM, "drafting", DecisionKind::Approve).unwrap();
        apply(
            &chain,
            &mut variant,
            MANAGER,
            "approval_communications",
            DecisionKind::Approve,
        )
        .unwrap();
        let skipped = apply(
            &chain,
            &mut variant,
            SECTOR,
            "approval_sector",
            DecisionKind::Approve,
        )
        .unwrap();
        assert_eq!(skipped.skipped_steps, vec!["validation_scg".to_owned()]);
        assert_eq!(variant.status.step(), Some("publication"));
    }

    #[test]
    fn press_releases_need_no_approval() {
        let chain = mamh_chain(ContentType::PressRelease);
        let mut s = state(start(&chain, Role::CommunityManager).unwrap());
        apply(&chain, &mut s, CM, "drafting", DecisionKind::Approve).unwrap();
        assert!(
            apply(&chain, &mut s, CM, "publication", DecisionKind::Approve)
                .unwrap()
                .publish
        );
        assert_eq!(
            start(&chain, Role::Staff).unwrap_err().code(),
            "not_a_carrier"
        );
    }

    #[test]
    fn live_video_below_majority_is_held_at_drafting() {
        let chain = mamh_chain(ContentType::Regular);
        let mut s = state(start(&chain, Role::CommunityManager).unwrap());
        s.live_video_below_majority = true;
        assert_eq!(
            apply(&chain, &mut s, CM, "drafting", DecisionKind::Approve).unwrap_err(),
            ChainError::LiveVideoBelowMajority
        );
    }

    #[test]
    fn the_sector_withdraws_until_published() {
        let chain = mamh_chain(ContentType::Regular);
        let at_validation = EntryStatus::AtStep {
            step: "validation".into(),
        };
        assert_eq!(
            withdraw(&chain, &at_validation, Role::SectorManager, false),
            Ok(EntryStatus::Withdrawn)
        );
        assert_eq!(
            withdraw(&chain, &at_validation, Role::Staff, false),
            Err(ChainError::MayNotWithdraw)
        );
        assert_eq!(
            withdraw(&chain, &at_validation, Role::CommunityManager, true),
            Ok(EntryStatus::Withdrawn)
        );
        assert_eq!(
            withdraw(&chain, &EntryStatus::Published, Role::SectorManager, false)
                .unwrap_err()
                .code(),
            "entry_final"
        );
    }
}
