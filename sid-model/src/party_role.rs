//! TMF669 `PartyRole`: the part played by a party in a given context; and TMF629 `Customer`,
//! a party role with the very same properties, declared with it.

use chrono::{DateTime, Utc};
use validator::Validate;

use crate::characteristic::Characteristic;
use crate::contact::PartyRoleContactMedium;
use crate::reference::{AccountRef, AgreementRef, PaymentMethodRef, RelatedParty};
use crate::time::TimePeriod;

crate::wire::alike! {
    /// The part played by a party in a given context (TMF669).
    ///
    /// `name` is required on creation.
    pub struct PartyRole {
        /// The party (individual or organization) that plays this role.
        #[validate(nested)]
        engaged_party: Option<RelatedParty>,
    };

    /// A Customer: a person or organization that buys products and services from the enterprise or
    /// receives free offers or services (TMF629), with the properties of a [`PartyRole`].
    ///
    /// `name` and `engagedParty` are required on creation.
    pub struct Customer {
        /// The party - an organization or an individual - that is engaged as a customer.
        #[validate(nested)]
        engaged_party: RelatedParty,
    };

    fields {
        /// Unique identifier of the role, assigned by the server.
        id: Option<String>,
        /// Hyperlink to access the role, assigned by the server.
        href: Option<String>,
        /// A word, term, or phrase by which the role is known and distinguished from others.
        name: String,
        /// Used to track the lifecycle status of the role.
        status: Option<String>,
        /// A string providing an explanation on the value of the status lifecycle. For instance if
        /// the status is Rejected, statusReason will provide the reason for rejection.
        status_reason: Option<String>,
        /// Accounts (party or financial) of this role.
        #[validate(nested)]
        account: Option<Vec<AccountRef>>,
        /// Agreements (contracts, service level agreements, ...) the role is bound by.
        #[validate(nested)]
        agreement: Option<Vec<AgreementRef>>,
        /// Describes the characteristics of the role.
        #[validate(nested)]
        characteristic: Option<Vec<Characteristic>>,
        /// Ways of contacting the party: email, phone, postal address, ...
        #[validate(nested)]
        contact_medium: Option<Vec<PartyRoleContactMedium>>,
        /// Credit profiles of the role; the first one is the current one.
        #[validate(nested)]
        credit_profile: Option<Vec<CreditProfile>>,
        /// Means of payment the role may use.
        #[validate(nested)]
        payment_method: Option<Vec<PaymentMethodRef>>,
        /// Other parties or party roles related to this one.
        #[validate(nested)]
        related_party: Option<Vec<RelatedParty>>,
        /// The time period that the role is valid for.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }
}

crate::wire::wire! {
    /// Credit profile of a party role (containing credit scoring, ...), as TMF629 and TMF669 define
    /// it; in a list, the first one is the current one. `creditProfileDate` and `validFor` are
    /// required.
    pub struct CreditProfile {
        /// The date the profile was established.
        credit_profile_date: DateTime<Utc>,
        /// This is an integer whose value is used to rate the risk.
        credit_risk_rating: Option<i64>,
        /// A measure of a person or organizations creditworthiness calculated on the basis of a
        /// combination of factors such as their income and credit history.
        credit_score: Option<i64>,
        /// The period for which the profile is valid.
        #[validate(nested)]
        valid_for: TimePeriod,
    }
}
