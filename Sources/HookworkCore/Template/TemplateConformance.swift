/// The entry point the conformance runner uses for `templates.jsonl` cases (conformance README, "templates").
public enum TemplateConformance {
    /// The clock the cases run with; no recorded case depends on `{{timestamp}}` or `{{date_utc}}`.
    public static let now = 1_732_450_000

    /// Renders `template` in `context` (`raw_body`, `url` or `header`) against the trigger arguments `args`.
    public static func run(context: String, template: String, args: JSONValue) -> Result<String, TemplateError> {
        guard let place = TemplateContext(rawValue: context) else {
            return .failure(
                TemplateError(code: .unknownContext, message: "unknown template context \(context); use raw_body, url or header", rendered: "")
            )
        }
        return RestTemplate(template, context: place).render(TemplateInput(args: args, now: now))
    }
}
