//! What people do on a case, where the profile matters: changing the route re-plans what
//! depends on it (the respondent of a sector, the deadlines of a route with its own
//! commitment: urgent's clock hour, R-13, and the 24-hour clock-time fallback of R-25), the
//! default text of a reply comes from the profile's template for the route, filled with the
//! profile's contacts and the author's name, and a warning counts towards the profile's
//! threshold before a block. The store records; this module decides from the profile.

use std::collections::BTreeMap;
use std::sync::Arc;

use domain::audit::Attribution;
use domain::business_time::StagePlan;
use domain::deadlines::{
    plan_commitment, plan_urgent, OTHER_ORGANISATION_COMMITMENT_ID, URGENT_COMMITMENT_ID,
};
use domain::entities::{Case, CaseId, OrganisationId};
use domain::profile::{Profile, RouteId as TemplateRoute, UsualProcessKind as TemplateKind};
use domain::triage::Route;
use jiff::Timestamp;
use store::case_actions::{CommitmentReportRow, Reply, RouteReplan, WarningOutcome};
use store::intake::{DeadlineRecord, StageDeadline};
use store::StoreError;

use crate::{OrganisationRuntime, Pipeline, PipelineError};

/// The route a case follows now: the person's decision, else the triage's suggestion.
async fn current_route(pipeline: &Pipeline, case_id: CaseId) -> Result<Option<String>, PipelineError> {
    Ok(pipeline.store.get_suggestion(case_id).await?.map(|stored| match stored.confirmation {
        Some(confirmation) => confirmation.route,
        None => stored.suggestion.route,
    }))
}

/// A deadline record from a plan.
pub(crate) fn deadline_record(commitment_id: &str, plan: &StagePlan) -> DeadlineRecord {
    DeadlineRecord {
        commitment_id: commitment_id.to_owned(),
        clock_start: plan.clock_start,
        stages: plan
            .stages
            .iter()
            .map(|stage| StageDeadline {
                stage: stage.stage.clone(),
                starts: stage.starts,
                planned_due: stage.due,
                ended_at: stage.ended,
            })
            .collect(),
        first_response_due: plan.first_response_due,
        committed_due: plan.committed_due,
    }
}

/// Whether someone owes the person an answer on this route once a person has chosen it.
fn route_expects_reply(route: &Route) -> bool {
    !matches!(route, Route::Netiquette | Route::Positive | Route::Negative | Route::Minister { .. })
}

fn refused(code: &'static str, message: String) -> PipelineError {
    PipelineError::Refused { code, message }
}

impl Pipeline {
    /// The profile of an organisation the pipeline serves.
    pub fn profile_of(&self, organisation_id: &OrganisationId) -> Option<&Arc<Profile>> {
        self.organisations.get(organisation_id).map(|runtime| &runtime.profile)
    }

    fn runtime_of(&self, case: &Case) -> Result<&OrganisationRuntime, PipelineError> {
        self.organisations.get(&case.organisation_id).ok_or_else(|| PipelineError::Profile {
            organisation: case.organisation_id.to_string(),
            message: "aucun profil chargé pour cet organisme".to_owned(),
        })
    }

    async fn case(&self, case_id: CaseId) -> Result<Case, PipelineError> {
        self.store
            .get_case(case_id)
            .await?
            .ok_or_else(|| refused("case_not_found", format!("le dossier {case_id} n'existe pas")))
    }

    /// Reads a route text and checks its target against the profile: a regional directorate,
    /// another organisation or a sector the profile names.
    pub fn parse_route(&self, organisation_id: &OrganisationId, route: &str) -> Result<Route, PipelineError> {
        let parsed: Route = route
            .trim()
            .parse()
            .map_err(|error: domain::triage::TriageError| refused("route_invalid", error.to_string()))?;
        let Some(profile) = self.profile_of(organisation_id) else {
            return Err(PipelineError::Profile {
                organisation: organisation_id.to_string(),
                message: "aucun profil chargé pour cet organisme".to_owned(),
            });
        };
        let known = match &parsed {
            Route::RegionalDirectorate(Some(id)) => {
                profile.regional_directorates().iter().any(|directorate| directorate.id == id.as_str())
            }
            Route::OtherOrganisation(Some(id)) => {
                profile.external_organisations().iter().any(|other| other.id == id.as_str())
            }
            Route::Respondent(Some(id)) => profile.sectors().iter().any(|sector| sector.id == id.as_str()),
            _ => true,
        };
        if !known {
            return Err(refused(
                "route_target_unknown",
                format!("« {route} » : le profil {} ne connaît pas cette cible", profile.id()),
            ));
        }
        Ok(parsed)
    }

    /// A person confirms or changes a case's route (audited with before and after), and what
    /// depends on the route is re-planned in the same transaction:
    /// - `respondent:<sector>`: the case goes to the respondent of the sector's first unit
    ///   (or the substitute during an absence, R-41);
    /// - `urgent`: one hour of clock time from now;
    /// - `other_organisation…`: the profile's 24-hour clock-time commitment from now;
    /// - back to an ordinary route from one of those two, or a route that expects a reply on
    ///   a case that had no deadlines: the first-response commitment from receipt.
    pub async fn change_route(&self, by: &Attribution, case_id: CaseId, route: &str) -> Result<Case, PipelineError> {
        let case = self.case(case_id).await?;
        let parsed = self.parse_route(&case.organisation_id, route)?;
        let runtime = self.runtime_of(&case)?;
        let calendar = runtime
            .calendar
            .as_ref()
            .map_err(|error| refused("calendar_invalid", format!("calendrier du profil invalide : {error}")))?;
        let now = Timestamp::now();
        let current = self.store.get_deadlines(case_id).await?;
        let current_commitment = current.as_ref().map(|record| record.commitment_id.as_str());
        let deadline_error = |error: domain::deadlines::DeadlineError| refused("deadline_error", error.to_string());
        let deadlines = match &parsed {
            Route::Urgent if current_commitment != Some(URGENT_COMMITMENT_ID) => {
                Some(deadline_record(URGENT_COMMITMENT_ID, &plan_urgent(calendar, now).map_err(deadline_error)?))
            }
            Route::OtherOrganisation(_) if current_commitment != Some(OTHER_ORGANISATION_COMMITMENT_ID) => {
                match plan_commitment(&runtime.profile, calendar, OTHER_ORGANISATION_COMMITMENT_ID, now) {
                    Some(plan) => Some(deadline_record(OTHER_ORGANISATION_COMMITMENT_ID, &plan.map_err(deadline_error)?)),
                    None => None,
                }
            }
            Route::Urgent | Route::OtherOrganisation(_) => None,
            other => {
                let special = matches!(
                    current_commitment,
                    Some(URGENT_COMMITMENT_ID) | Some(OTHER_ORGANISATION_COMMITMENT_ID)
                );
                if special || (current.is_none() && route_expects_reply(other)) {
                    let message = self.store.get_message(case.message_id).await?.ok_or_else(|| {
                        refused("message_not_found", format!("le message du dossier {case_id} n'existe pas"))
                    })?;
                    Some(
                        crate::plan_deadlines(runtime, message.received.received_at)
                            .map_err(|error| refused("deadline_error", error))?,
                    )
                } else {
                    None
                }
            }
        };
        let unit = match &parsed {
            Route::Respondent(Some(sector)) => self
                .store
                .list_designations(&case.organisation_id)
                .await?
                .into_iter()
                .filter(|designation| designation.sector.as_str() == sector.as_str())
                .map(|designation| designation.unit)
                .min_by(|left, right| left.as_str().cmp(right.as_str())),
            _ => None,
        };
        let replan = RouteReplan { deadlines, unit, at: Some(now) };
        Ok(self.store.change_route(by, case_id, &parsed.to_string(), &replan).await?)
    }

    /// The default text of a reply: the profile's template for the case's route (and kind,
    /// for `usual_process`), filled with the profile's contacts, the author's name, the
    /// suggested page, the directorate or organisation of the route and the clause applied.
    pub async fn default_reply_text(&self, case_id: CaseId) -> Result<String, PipelineError> {
        let case = self.case(case_id).await?;
        let runtime = self.runtime_of(&case)?;
        let profile = &runtime.profile;
        let message = self.store.get_message(case.message_id).await?.ok_or_else(|| {
            refused("message_not_found", format!("le message du dossier {case_id} n'existe pas"))
        })?;
        let route_text = current_route(self, case_id).await?.unwrap_or_else(|| "respondent".to_owned());
        let route: Route = route_text.parse().unwrap_or(Route::Respondent(None));
        let kind = match &route {
            Route::UsualProcess(kind) => TemplateKind::parse(kind.id()),
            _ => None,
        };
        let author = message.received.author.display_name.clone();
        let mut values: BTreeMap<&str, String> = BTreeMap::new();
        values.insert("author", author.clone());
        values.insert("case_number", case_id.get().to_string());
        let suggestion = self.store.get_suggestion(case_id).await?;
        if let Some(page) = suggestion.as_ref().and_then(|stored| stored.suggestion.suggested_page_json.as_deref())
            && let Ok(page) = serde_json::from_str::<serde_json::Value>(page)
            && let Some(url) = page.get("url").and_then(serde_json::Value::as_str)
        {
            values.insert("link", url.to_owned());
        }
        if let Some(verdict) = self.store.get_verdict(case.message_id).await?
            && let Some(clause) = verdict.clauses.first().and_then(|id| profile.clause(id))
        {
            values.insert("clause", clause.wording.clone());
        }
        if let Route::RegionalDirectorate(Some(id)) = &route
            && let Some(directorate) = profile.regional_directorates().iter().find(|d| d.id == id.as_str())
        {
            values.insert("directorate.name", directorate.name.clone());
            if let Some(phone) = &directorate.phone {
                values.insert("directorate.phone", phone.as_str().to_owned());
            }
            if let Some(email) = &directorate.email {
                values.insert("directorate.email", email.as_str().to_owned());
            }
        }
        if let Route::OtherOrganisation(Some(id)) = &route
            && let Some(other) = profile.external_organisations().iter().find(|o| o.id == id.as_str())
        {
            values.insert("other_organisation.name", other.name.clone());
            let mention = other.handle.as_ref().map_or_else(|| other.name.clone(), |handle| format!("@{handle}"));
            values.insert("other_organisation.mention", mention);
            let contact = other
                .url
                .as_ref()
                .map(|url| url.as_str().to_owned())
                .or_else(|| other.email.as_ref().map(|email| email.as_str().to_owned()))
                .or_else(|| other.phone.as_ref().map(|phone| phone.as_str().to_owned()))
                .unwrap_or_default();
            values.insert("other_organisation.contact", contact);
        }
        let Some(template) = TemplateRoute::parse(route.id()).and_then(|family| profile.template(family, kind)) else {
            // No template for the route: a greeting the person completes.
            return Ok(format!("Bonjour {author}, "));
        };
        let borrowed: BTreeMap<&str, &str> = values.iter().map(|(key, value)| (*key, value.as_str())).collect();
        Ok(profile.fill_template(template, &borrowed))
    }

    /// Prepares a reply draft: the text given (the person's own or edited), or the default
    /// text from the profile's template. Nothing is sent: only [`store::Store::confirm_reply`]
    /// puts a reply in the outbox.
    pub async fn prepare_reply(&self, by: &Attribution, case_id: CaseId, text: Option<&str>) -> Result<Reply, PipelineError> {
        let text = match text.map(str::trim).filter(|text| !text.is_empty()) {
            Some(text) => text.to_owned(),
            None => self.default_reply_text(case_id).await?,
        };
        Ok(self.store.prepare_reply(by, case_id, &text).await?)
    }

    /// Warns the author of the case's message; the block is proposed once the
    /// warnings on this account reach the profile's `warnings_before_block`.
    pub async fn warn_author(
        &self,
        by: &Attribution,
        case_id: CaseId,
        clause: Option<&str>,
        text: Option<&str>,
    ) -> Result<WarningOutcome, PipelineError> {
        let case = self.case(case_id).await?;
        let runtime = self.runtime_of(&case)?;
        if let Some(clause) = clause
            && runtime.profile.clause(clause).is_none()
        {
            return Err(refused("clause_unknown", format!("le profil ne contient pas la clause « {clause} »")));
        }
        let threshold = runtime.profile.moderation_settings().warnings_before_block;
        Ok(self.store.warn_author(by, case_id, clause, text, threshold).await?)
    }

    /// Lateness per sector, stage and ISO week, in the organisation's business time.
    pub async fn commitment_report(
        &self,
        organisation_id: &OrganisationId,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    ) -> Result<Vec<CommitmentReportRow>, PipelineError> {
        let runtime = self.organisations.get(organisation_id).ok_or_else(|| PipelineError::Profile {
            organisation: organisation_id.to_string(),
            message: "aucun profil chargé pour cet organisme".to_owned(),
        })?;
        let calendar = runtime
            .calendar
            .as_ref()
            .map_err(|error| refused("calendar_invalid", format!("calendrier du profil invalide : {error}")))?;
        self.store
            .commitment_report(organisation_id, calendar, from, to)
            .await
            .map_err(PipelineError::from)
    }
}

impl PipelineError {
    /// A stable code for the API and the CLI.
    pub fn code(&self) -> &'static str {
        match self {
            PipelineError::Store(error) => error.code(),
            PipelineError::Profile { .. } => "profile_error",
            PipelineError::Refused { code, .. } => code,
        }
    }

    /// Whether the caller's request was at fault (a 4xx), rather than the system.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            PipelineError::Refused { .. }
                | PipelineError::Store(StoreError::NotFound { .. })
                | PipelineError::Store(StoreError::InvalidRequest(_))
                | PipelineError::Store(StoreError::AlreadyExists { .. })
        )
    }
}
