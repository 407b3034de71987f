/// A "Compare attribute" operator, by its exact `condition` string (spec §4.6).
public enum ConditionOperator: String, Sendable, CaseIterable {
    /// `=`: PHP-loose equality of the two texts.
    case eq
    /// `!=`: the negation of `eq`.
    case neq
    /// `<`: floats rounded to 3 decimals.
    case lt
    /// `<=`: floats rounded to 3 decimals.
    case lte
    /// `>`: floats rounded to 3 decimals.
    case gt
    /// `>=`: floats rounded to 3 decimals.
    case gte
    /// Empty: the left side is `""` or `"0"` (the hook copy trims first).
    case empty
    /// Not empty: the negation of `empty`.
    case notempty
    /// Text like: the right side is a text-matching pattern (spec §7) found in the left side.
    case like
    /// Text not like: the negation of `like`.
    case notlike
    /// Contains: the right side is a case-sensitive substring of the left (an empty right side always is).
    case contains
    /// In list: the trimmed left side loosely equals an item of the right side split on `||`.
    case inList = "in_list"
    /// In list after ASCII lower-casing both sides.
    case inListLowercase = "in_list_lowercase"
    /// Not in list: the negation of `in_list`.
    case notInList = "not_in_list"
    /// Not in list after ASCII lower-casing: the negation of `in_list_lowercase`.
    case notInListLowercase = "not_in_list_lowercase"

    /// Whether the operator keeps whitespace and skips arithmetic in this flavour (spec §4.4 step 3, §4.8).
    func isTextOperator(_ flavor: ConditionFlavor) -> Bool {
        switch self {
        case .like, .notlike, .contains: return true
        case .inList, .inListLowercase, .notInList, .notInListLowercase: return flavor == .continuous
        default: return false
        }
    }

    /// Whether the operator compares floats rounded to 3 decimals (spec §4.4 step 4).
    var isOrdering: Bool {
        switch self {
        case .lt, .lte, .gt, .gte: return true
        default: return false
        }
    }

    /// Whether the operator is one of the four `||` list operators.
    var isList: Bool {
        switch self {
        case .inList, .inListLowercase, .notInList, .notInListLowercase: return true
        default: return false
        }
    }

    /// Whether the list operator lower-cases both sides first.
    var lowercases: Bool { self == .inListLowercase || self == .notInListLowercase }
}

/// Which copy of the reference's pipeline applies: the hook one, or the one both continuous variants share.
enum ConditionFlavor: Int, Sendable {
    case hook = 0
    case continuous = 1

    /// `%` survives the arithmetic filter only in the continuous copies (spec §4.8).
    var keepsPercent: Bool { self == .continuous }
}

extension ConditionVariant {
    var flavor: ConditionFlavor { self == .hook ? .hook : .continuous }
}
