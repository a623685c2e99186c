//! SID value types and the shared party model, as typed serde wire types.
//!
//! Every type here serialises to, and deserialises from, exactly the JSON that the TM Forum
//! Open API v4 specifications define: TMF632 Party Management (`Individual`, `Organization`),
//! TMF629 Customer Management (`Customer`), TMF669 Party Role Management (`PartyRole`),
//! TMF666 Account Management (`PartyAccount`, `BillingAccount`, `SettlementAccount`,
//! `FinancialAccount`, `BillingCycleSpecification`, `BillFormat`, `BillPresentationMedia`),
//! TMF683 Party Interaction (`PartyInteraction`), TMF620 Product Catalog (`Catalog`,
//! `Category`, `ProductSpecification`, `ProductOffering`, `ProductOfferingPrice`), TMF622
//! Product Ordering (`ProductOrder`, `CancelProductOrder`), TMF637 Product Inventory
//! (`Product`), TMF621 Trouble Ticket (`TroubleTicket`) and TMF678 Customer Bill Management
//! (`CustomerBill`, `AppliedCustomerBillingRate`, `CustomerBillOnDemand`), with every sub-type
//! and reference they use, plus the common value types (`Money`, `TimePeriod`,
//! `Characteristic`, `Note`, ...). Property names, nesting and the `@type`,
//! `@baseType`, `@schemaLocation` and `@referredType` meta-properties follow the specification
//! (the first three shared by every struct as a flattened [`Meta`]); attributes that a
//! definition does not name are kept, at every level, in a flattened [`Extensions`] map
//! (TMF630's extension pattern; refused inside [`strict_attributes`]); a property that the
//! specification requires on creation is a plain field, every other one is an `Option` that
//! stays absent when it was absent. Free-text strings (names, types, roles, note texts) are
//! plain strings, as in the specifications: an empty one is accepted. Business rules that a
//! JSON schema cannot express (an end date not before its start date, non-empty identifiers of
//! references, at least the `minItems` of a list) are checked with [`validator::Validate`], and
//! [`validation::first_violation`] names the offending property with a JSON path.
//!
//! This crate is pure: it must not depend on an HTTP framework, a database, or an async runtime.
//! Application crates and the HTTP layer build on it; it builds on nothing of ours.

pub mod account;
pub mod attachment;
pub mod bill;
pub mod catalog;
pub mod characteristic;
pub mod contact;
pub mod currency;
pub mod customer;
mod decimal;
pub mod extension;
pub mod interaction;
pub mod lifecycle;
pub mod loyalty;
pub mod money;
pub mod note;
pub mod order;
pub mod party;
pub mod party_role;
pub mod product;
pub mod quantity;
pub mod reference;
pub mod sla;
pub mod ticket;
pub mod time;
pub mod validation;
mod wire;

pub use account::bill_structure::{
    BillFormat, BillFormatRef, BillFormatRefOrValue, BillPresentationMedia,
    BillPresentationMediaRef, BillPresentationMediaRefOrValue, BillStructure,
    BillingCycleSpecification, BillingCycleSpecificationRef, BillingCycleSpecificationRefOrValue,
};
pub use account::financial_account::FinancialAccount;
pub use account::party_account::{BillingAccount, PartyAccount, SettlementAccount};
pub use account::{
    AccountBalance, AccountRelatedParty, AccountRelationship, AccountState, AccountTaxExemption,
    Contact, FinancialAccountRef, PaymentPlan, RelatedAccountRef,
};
pub use attachment::AttachmentRefOrValue;
pub use bill::{
    AppliedBillingRateCharacteristic, AppliedBillingTaxRate, AppliedCustomerBillingRate,
    AppliedPayment, BillAdjustment, BillAdjustmentStateType, BillAdjustmentType,
    BillFinancialAccountRef, BillRef, CustomerBill, CustomerBillOnDemand,
    CustomerBillOnDemandStateType, CustomerBillStateType, ProductRef, RelatedPartyRef,
};
pub use catalog::offering::{
    BundledProductOffering, BundledProductOfferingOption, ProductOffering, ProductOfferingTerm,
    ProductSpecificationCharacteristicValueUse,
};
pub use catalog::price::{
    BundledProductOfferingPriceRelationship, PricingLogicAlgorithm, ProductOfferingPrice,
    ProductOfferingPriceRelationship, TaxItem,
};
pub use catalog::reference::{
    CategoryRef, ChannelRef, ConstraintRef, MarketSegmentRef, PlaceRef, ProductOfferingPriceRef,
    ProductOfferingRef, ProductSpecificationRef, ResourceCandidateRef, ResourceSpecificationRef,
    SLARef, ServiceCandidateRef, ServiceSpecificationRef, TargetProductSchema, TargetServiceSchema,
};
pub use catalog::specification::{
    BundledProductSpecification, ProductSpecification, ProductSpecificationCharacteristic,
    ProductSpecificationCharacteristicRelationship, ProductSpecificationCharacteristicValue,
    ProductSpecificationRelationship,
};
pub use catalog::{Catalog, Category, LifecycleStatus};
pub use characteristic::Characteristic;
pub use contact::{
    ContactMedium, MediumCharacteristic, MissingContactMediumField, PartyRoleContactMedium,
};
pub use currency::{CurrencyCode, UnknownCurrency};
pub use customer::{Customer, CustomerStatus};
pub use extension::{Extensions, Meta, strict_attributes};
pub use interaction::{
    InteractionItem, InteractionRelatedParty, InteractionRelationship, PartyInteraction,
    RelatedChannel, RelatedEntityRefOrValue,
};
pub use lifecycle::{Lifecycle, LifecycleError, check_create, check_move};
pub use loyalty::{
    ConsumedBalance, LoyaltyAccount, LoyaltyAction, LoyaltyBalance, LoyaltyBurn, LoyaltyCondition,
    LoyaltyEvent, LoyaltyEventType, LoyaltyProgramMember, LoyaltyProgramProduct,
    LoyaltyProgramProductSpec, LoyaltyQuantity, LoyaltyRule, LoyaltyRuleAction,
    LoyaltyRuleCondition, LoyaltyRuleEventType,
};
pub use money::{Money, MoneyError};
pub use note::Note;
pub use order::item::{
    OrderItemActionType, OrderItemRelationship, OrderPrice, OrderTerm, ProductOrderItem,
    ProductOrderItemStateType,
};
pub use order::reference::{
    AppointmentRef, PaymentRef, ProductOfferingQualificationItemRef,
    ProductOfferingQualificationRef, ProductOrderRef, QuoteItemRef, QuoteRef,
};
pub use order::{
    CancelProductOrder, OrderNote, OrderRelatedChannel, ProductOrder, ProductOrderStateType,
    TaskStateType,
};
pub use party::individual::{
    Disability, Individual, IndividualIdentification, IndividualStateType, LanguageAbility,
    OtherNameIndividual, Skill,
};
pub use party::organization::{
    Organization, OrganizationChildRelationship, OrganizationIdentification,
    OrganizationParentRelationship, OrganizationStateType, OtherNameOrganization,
};
pub use party::{ExternalReference, PartyCreditProfile, TaxDefinition, TaxExemptionCertificate};
pub use party_role::{CreditProfile, PartyRole};
pub use product::{
    AgreementItemRef, BillingAccountRef, Price, PriceAlteration, Product, ProductPrice,
    ProductRefOrValue, ProductRelationship, ProductStatusType, ProductTerm, RelatedPlaceRefOrValue,
    RelatedProductOrderItem, ResourceRef, ServiceRef,
};
pub use quantity::Quantity;
pub use reference::{
    AccountRef, AgreementRef, EntityRef, MissingReferenceField, OrganizationRef, PaymentMethodRef,
    RelatedParty,
};
pub use sla::{
    Sla, SlaMeasurement, SlaMeasurementResult, SlaOperator, SlaRef, SlaRule, SlaRuleRef,
    SlaStateType, SlaTemplateRef, SlaViolation, SlaViolationRef,
};
pub use ticket::{
    RelatedEntity, StatusChange, TroubleTicket, TroubleTicketRelationship, TroubleTicketStatusType,
};
pub use time::TimePeriod;
pub use validation::{Violation, first_violation};
