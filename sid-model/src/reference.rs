//! References to entities managed elsewhere (TMF `*Ref` types and `RelatedParty`).

/// Why a reference cannot be turned into another specification's form of it: the source lacks
/// a property that the target form requires, such as the `name` that TMF666 requires of a
/// related party.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the reference lacks `{0}`, which the target form requires")]
pub struct MissingReferenceField(pub &'static str);

crate::wire::entity_ref! {
    /// A reference to an entity of any type: its id, and optionally its hyperlink and name.
    EntityRef {}

    /// A party or party role linked to an entity, with the role it plays there.
    ///
    /// `@referredType` is required: it tells which kind of party is meant (`Individual`,
    /// `Organization`, `Customer`, ...). This is the form of TMF632, TMF629 and TMF669; TMF666
    /// also requires `name` ([`AccountRelatedParty`](crate::account::AccountRelatedParty)) and
    /// TMF683 `href` ([`InteractionRelatedParty`](crate::interaction::InteractionRelatedParty)).
    RelatedParty {
        /// Role played by the related party.
        role: Option<String>,
    }

    /// Reference to an organization.
    OrganizationRef {}
}

crate::wire::wire! {
    /// A reference to an account, either a party account or a financial account.
    ///
    /// Unlike the other references, TMF629 and TMF669 require its `name`, not its `id`. TMF666
    /// requires the `id` instead: that form is
    /// [`RelatedAccountRef`](crate::account::RelatedAccountRef).
    pub struct AccountRef @referredType {
        /// Unique identifier of the account.
        id: Option<String>,
        /// Reference of the account.
        href: Option<String>,
        /// Detailed description of the account.
        description: Option<String>,
        /// Name of the account.
        name: String,
    }
}

crate::wire::entity_ref! {
    /// A reference to an agreement: a contract or arrangement, such as a service level agreement
    /// or a customer price agreement.
    AgreementRef {}

    /// A reference to a payment method: a specific means of payment, such as direct debit.
    PaymentMethodRef {}
}
