import HookworkCore
import Hummingbird

/// The OpenAPI 3 document, generated from the route table so that it lists exactly the registered routes.
enum OpenAPIDocument {
    static func make(specs: [RouteSpec]) -> JSONValue {
        var paths = JSONObject()
        for spec in specs {
            var operation = JSONObject()
            operation["summary"] = .string(spec.summary)
            operation["tags"] = .array([.string(spec.tag)])
            operation["operationId"] = .string(operationID(spec))
            if spec.scope != .public {
                operation["security"] = .array([.object(JSONObject([("bearer", .array([]))]))])
                operation["description"] = .string("Needs a bearer token with the \(spec.scope.rawValue) scope (an admin token can do everything).")
            }
            let parameters = spec.path.split(separator: "/").filter { $0.hasPrefix("{") }.map { segment -> JSONValue in
                .object(JSONObject([
                    ("name", .string(String(segment.dropFirst().dropLast()))), ("in", .string("path")), ("required", .bool(true)),
                    ("schema", .object(JSONObject([("type", .string("integer"))]))),
                ]))
            }
            if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
            if spec.hasBody {
                operation["requestBody"] = .object(JSONObject([
                    ("required", .bool(true)),
                    ("content", .object(JSONObject([("application/json", .object(JSONObject([("schema", .object(JSONObject([("type", .string("object"))])))])))]))),
                ]))
            }
            var responses = JSONObject()
            responses[String(spec.success)] = .object(JSONObject([("description", .string(spec.success == 204 ? "No content" : "Success"))]))
            if spec.path == "/api/v1/events" {
                responses["202"] = .object(JSONObject([("description", .string("Queued (queue worker) or stored with webhooks disabled"))]))
            }
            responses["default"] = .object(JSONObject([
                ("description", .string("An error, in the one error shape")),
                ("content", .object(JSONObject([("application/json", .object(JSONObject([("schema", ref("Error"))])))]))),
            ]))
            operation["responses"] = .object(responses)
            var item = paths[spec.path]?.objectValue ?? JSONObject()
            item[spec.method.rawValue.lowercased()] = .object(operation)
            paths[spec.path] = .object(item)
        }
        let errorSchema: JSONValue = .object(JSONObject([
            ("type", .string("object")),
            ("properties", .object(JSONObject([
                ("error", .object(JSONObject([
                    ("type", .string("object")),
                    ("required", .array(["code", "message", "field"])),
                    ("properties", .object(JSONObject([
                        ("code", .object(JSONObject([("type", .string("string"))]))),
                        ("message", .object(JSONObject([("type", .string("string"))]))),
                        ("field", .object(JSONObject([("type", .string("string")), ("nullable", .bool(true))]))),
                        ("details", .object(JSONObject([("type", .string("array")), ("items", .object(JSONObject([("type", .string("object"))])))]))),
                    ]))),
                ]))),
            ]))),
        ]))
        return .object(JSONObject([
            ("openapi", .string("3.0.3")),
            ("info", .object(JSONObject([
                ("title", .string("Hookwork")), ("version", .string("1")),
                ("description", .string("Webhooks and continuous automation for live chat and mail support, compatible with Live Helper Chat's webhooks.")),
            ]))),
            ("paths", .object(paths)),
            ("components", .object(JSONObject([
                ("securitySchemes", .object(JSONObject([("bearer", .object(JSONObject([("type", .string("http")), ("scheme", .string("bearer"))])))]))),
                ("schemas", .object(JSONObject([("Error", errorSchema)]))),
            ]))),
        ]))
    }

    static func ref(_ name: String) -> JSONValue {
        .object(JSONObject([("$ref", .string("#/components/schemas/\(name)"))]))
    }

    static func operationID(_ spec: RouteSpec) -> String {
        let words = spec.path.split(separator: "/").map { segment in
            segment.hasPrefix("{") ? "By" + segment.dropFirst().dropLast().capitalized : segment.replacingOccurrences(of: ".", with: "_")
        }
        return spec.method.rawValue.lowercased() + "_" + words.joined(separator: "_")
    }
}
