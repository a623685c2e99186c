//! TMF632 `Individual` (declared with the other kind of party in [`crate::party`], with which it
//! shares properties) and the sub-types only individuals have.

use validator::Validate;

pub use crate::party::{Individual, IndividualIdentification};
use crate::time::TimePeriod;

crate::wire::wire_enum! {
    /// Valid values for the lifecycle state of the individual.
    pub enum IndividualStateType {
        /// `initialized`: recorded, not yet validated.
        "initialized" => Initialized,
        /// `validated`: the identity has been checked.
        "validated" => Validated,
        /// `deceaded`: the individual has died (the specification spells it so).
        "deceaded" => Deceaded,
    }
}

crate::wire::wire! {
    /// Lack or inadequate strength or ability.
    #[derive(Default)]
    pub struct Disability {
        /// Code of the disability.
        disability_code: Option<String>,
        /// Name of the disability.
        disability_name: Option<String>,
        /// The period during which the disability applies.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }

    /// Ability of an individual to understand or converse in a language.
    #[derive(Default)]
    pub struct LanguageAbility {
        /// A “true” value specifies whether the language is considered by the individual as his
        /// favourite one.
        is_favourite_language: Option<bool>,
        /// Language code (RFC 5646).
        language_code: Option<String>,
        /// Language name.
        language_name: Option<String>,
        /// Listening proficiency evaluated for this language.
        listening_proficiency: Option<String>,
        /// Reading proficiency evaluated for this language.
        reading_proficiency: Option<String>,
        /// Speaking proficiency evaluated for this language.
        speaking_proficiency: Option<String>,
        /// Writing proficiency evaluated for this language.
        writing_proficiency: Option<String>,
        /// The period for which this language ability is valid.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }

    /// Keeps track of other names, for example the old name of a woman before marriage or an artist
    /// name.
    #[derive(Default)]
    pub struct OtherNameIndividual {
        /// Aristocratic title, e.g. Baron, Graf, Earl.
        aristocratic_title: Option<String>,
        /// Contains the non-chosen or inherited name. Also known as last name in the Western
        /// context.
        family_name: Option<String>,
        /// Family name prefix.
        family_name_prefix: Option<String>,
        /// A fully formatted name in one string with all of its pieces in their proper place and
        /// all of the necessary punctuation. Useful for specific contexts (Chinese, Japanese,
        /// Korean,…).
        formatted_name: Option<String>,
        /// Full name flatten (first, middle, and last names).
        full_name: Option<String>,
        /// Generation, e.g. Sr, Jr, III (the third).
        generation: Option<String>,
        /// First name.
        given_name: Option<String>,
        /// Legal name or birth name (name one has for official purposes).
        legal_name: Option<String>,
        /// Middle name or initial.
        middle_name: Option<String>,
        /// Contains the chosen name by which the person prefers to be addressed. Note: This name
        /// may be a name other than a given name, such as a nickname.
        preferred_given_name: Option<String>,
        /// Title (aristocratic, social, ...), e.g. Pr, Dr, Sir.
        title: Option<String>,
        /// The period during which this name was used.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }

    /// Skills evaluated for an individual with a level and possibly with a limited validity when an
    /// obsolescence is defined (Ex: the first-aid certificate first level is limited to one year
    /// and an update training is required each year to keep the level).
    #[derive(Default)]
    pub struct Skill {
        /// A free text comment linked to the evaluation done.
        comment: Option<String>,
        /// Level of expertise in a skill evaluated for an individual.
        evaluated_level: Option<String>,
        /// Code of the skill.
        skill_code: Option<String>,
        /// Name of the skill, such as Java language.
        skill_name: Option<String>,
        /// The period for which the skill evaluation is valid.
        #[validate(nested)]
        valid_for: Option<TimePeriod>,
    }
}
