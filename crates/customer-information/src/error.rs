//! Why a write or a search of the customer information domain is refused, in the domain's
//! words, and the one place those reasons become TMF errors.

use crm_store::lifecycle_error;
use sid_model::{AccountState, CustomerStatus, Lifecycle, LifecycleError};
use tmf_apis::TmfError;

/// Why a party, customer, party role, account or search is refused.
#[derive(Debug, thiserror::Error)]
pub enum InformationError {
    /// A contact medium that is not what it says (a phone number, an e-mail address, a
    /// postal address), or a second preferred one of a type.
    #[error(transparent)]
    Contact(#[from] ContactError),
    /// A customer `status` the customer lifecycle does not know.
    #[error(
        "'status': '{given}' is not a customer state; expected one of {}",
        names(&CustomerStatus::ALL)
    )]
    UnknownCustomerStatus {
        /// The status given.
        given: String,
    },
    /// An account `state` the account lifecycle does not know.
    #[error(
        "'state': '{given}' is not an account state; expected one of {}",
        names(&AccountState::ALL)
    )]
    UnknownAccountState {
        /// The state given.
        given: String,
    },
    /// A customer start or step the lifecycle forbids.
    #[error(transparent)]
    CustomerLifecycle(LifecycleError<CustomerStatus>),
    /// An account start or step the lifecycle forbids.
    #[error(transparent)]
    AccountLifecycle(LifecycleError<AccountState>),
    /// A name search without a letter to search for.
    #[error("'search.name' needs at least one letter")]
    SearchNameWithoutLetter,
    /// A phone search for something that is not a phone number.
    #[error(transparent)]
    SearchPhone(ContactError),
    /// Refused by the store, already stated as a TMF error (a lost race is a 409, an outage
    /// a 503): kept as it is.
    #[error(transparent)]
    Store(#[from] TmfError),
}

/// A contact medium value refused, at `path` in the document.
#[derive(Debug, thiserror::Error)]
#[error("'{path}': {problem}")]
pub struct ContactError {
    /// Where the value is (`contactMedium[0].characteristic.phoneNumber`).
    pub path: String,
    /// What is wrong with it.
    pub problem: ContactProblem,
}

/// What is wrong with a contact medium value.
#[derive(Debug, thiserror::Error)]
pub enum ContactProblem {
    /// A phone number whose extension (`;ext=`) is not 1 to 20 digits.
    #[error("'{number}': an extension (;ext=) is 1 to 20 digits")]
    BadExtension {
        /// The number, as written.
        number: String,
    },
    /// A phone number not in international form.
    #[error("'{number}' must be in international form, starting with + and the country code")]
    NotInternational {
        /// The number, as written.
        number: String,
    },
    /// Something that does not read as a phone number at all.
    #[error("'{number}' is not a phone number")]
    NotAPhoneNumber {
        /// The number, as written.
        number: String,
    },
    /// A phone number its country does not have.
    #[error("'{number}' is not a valid phone number of country code +{code}")]
    NotOfItsCountry {
        /// The number, as written.
        number: String,
        /// Its country calling code.
        code: u16,
    },
    /// An e-mail address that is not one.
    #[error("'{address}' is not an e-mail address")]
    NotAnEmail {
        /// The address, as written.
        address: String,
    },
    /// A postal address without its country.
    #[error("a postal address needs its country")]
    PostalWithoutCountry,
    /// A second preferred contact medium of one type.
    #[error("only one '{medium_type}' contact medium may be preferred")]
    SecondPreferred {
        /// The medium type, lower-cased.
        medium_type: String,
    },
}

impl ContactError {
    /// `problem`, about the value at `path`.
    pub(crate) fn new(path: impl Into<String>, problem: ContactProblem) -> Self {
        Self {
            path: path.into(),
            problem,
        }
    }
}

/// The names of `states`, comma-separated.
fn names<S: Lifecycle>(states: &[S]) -> String {
    states
        .iter()
        .map(|s| s.name())
        .collect::<Vec<_>>()
        .join(", ")
}

impl From<InformationError> for TmfError {
    fn from(error: InformationError) -> Self {
        let message = error.to_string();
        match error {
            InformationError::Contact(_)
            | InformationError::UnknownCustomerStatus { .. }
            | InformationError::UnknownAccountState { .. } => TmfError::invalid_value(message),
            InformationError::CustomerLifecycle(refused) => lifecycle_error(refused),
            InformationError::AccountLifecycle(refused) => lifecycle_error(refused),
            InformationError::SearchNameWithoutLetter | InformationError::SearchPhone(_) => {
                TmfError::invalid_query(message)
            }
            InformationError::Store(error) => error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sid_model::check_move;
    use tmf_apis::ErrorCode;

    #[test]
    fn store_errors_keep_their_status() {
        let conflict = TmfError::conflict("Customer 'c' was changed concurrently; retry");
        let kept: TmfError = InformationError::from(conflict.clone()).into();
        assert_eq!(kept, conflict);
        let unavailable = TmfError::new(ErrorCode::Unavailable, "the store is busy");
        let kept: TmfError = InformationError::from(unavailable.clone()).into();
        assert_eq!(kept, unavailable);
    }

    #[test]
    fn each_rule_has_its_status() {
        let contact: TmfError = InformationError::from(ContactError::new(
            "contactMedium[0].characteristic.emailAddress",
            ContactProblem::NotAnEmail {
                address: "ann".into(),
            },
        ))
        .into();
        assert_eq!(contact.code, ErrorCode::InvalidValue);
        assert_eq!(
            contact.message,
            "'contactMedium[0].characteristic.emailAddress': 'ann' is not an e-mail address"
        );
        let status: TmfError = InformationError::UnknownCustomerStatus {
            given: "gone".into(),
        }
        .into();
        assert_eq!(status.code, ErrorCode::InvalidValue);
        assert!(
            status
                .message
                .starts_with("'status': 'gone' is not a customer state; expected one of "),
            "{}",
            status.message
        );
        let search: TmfError = InformationError::SearchPhone(ContactError::new(
            "search.phone",
            ContactProblem::NotAPhoneNumber { number: "x".into() },
        ))
        .into();
        assert_eq!(search.code, ErrorCode::InvalidQuery);
        assert_eq!(search.message, "'search.phone': 'x' is not a phone number");
        let step = check_move(AccountState::Closed, AccountState::Active)
            .map_err(|refused| InformationError::AccountLifecycle(refused.of("BillingAccount")))
            .expect_err("a closed account stays closed");
        let step: TmfError = step.into();
        assert_eq!(step.code, ErrorCode::Conflict);
        assert!(
            step.message.starts_with("BillingAccount cannot go"),
            "{}",
            step.message
        );
    }
}
