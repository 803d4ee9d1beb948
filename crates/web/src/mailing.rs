//! Mail helpers the features share.

use store::NewMail;

use crate::{AppState, WebError};

/// One mail to each active user of a company, composed by `compose(address, name)`.
pub async fn mail_company(
    state: &AppState,
    company_id: i64,
    compose: impl Fn(&str, &str) -> NewMail,
) -> Result<Vec<NewMail>, WebError> {
    Ok(state
        .store
        .company_users(company_id)
        .await?
        .iter()
        .filter(|u| u.active && u.email_confirmed)
        .map(|u| compose(&u.email, &u.name))
        .collect())
}
