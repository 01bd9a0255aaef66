import ClearanceCore
import Foundation

/// What the web service tells people who work with pictures rather than personal data
/// (officers, editors), as against the data protection officer and the command line.
///
/// No message may reveal an age or a date of birth: the gate's words for its two age rules
/// name the person's age on the day checked. Check answers name files, not where the server
/// keeps them.
public enum StaffView {
    /// The reasons, with the age rules' messages told without the age.
    public static func reasons(_ reasons: [Reason], ageOfConsent: Int) -> [Reason] {
        reasons.map { reason in
            var told = reason
            let who = reason.person?.description ?? "A person shown"
            let consent = reason.consent.map { " \($0)" } ?? ""
            switch reason.code {
            case .guardianConsentRequired:
                told.message = "\(who) is under the age of consent (\(ageOfConsent)): a parent or guardian must consent, and consent\(consent) was not given by one."
            case .reconsentRequired:
                told.message = "\(who) has reached the age of consent (\(ageOfConsent)): consent\(consent) was given by a guardian, and they must now consent themselves."
            default:
                break
            }
            return told
        }
    }

    /// The check answers with each path cut to its file name (an upload's is its SHA-256), and,
    /// when `withoutAges`, the age rules told without the age.
    public static func results(_ results: [AssetOperations.CheckResult], withoutAges: Bool,
                               ageOfConsent: Int) -> [AssetOperations.CheckResult] {
        results.map { result in
            var shown = result
            shown.path = result.path.map { ($0 as NSString).lastPathComponent }
            if withoutAges { shown.verdict.reasons = reasons(result.verdict.reasons, ageOfConsent: ageOfConsent) }
            return shown
        }
    }
}
