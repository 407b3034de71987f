import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// An XML response as the reference reads it, `json_decode(json_encode(simplexml_load_string($xml)), true)`
/// (spec §8.3.2 `format = xml`): the root element becomes an object of its children; a child that repeats becomes a
/// list; an element with only text becomes that text; attributes go under `@attributes`.
enum XMLDocumentJSON {
    static func parse(_ text: String) -> JSONValue? {
        let builder = Builder()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = builder
        guard parser.parse(), !builder.failed, builder.stack.isEmpty, let root = builder.root else { return nil }
        return root.json(isRoot: true)
    }

    final class Node {
        let name: String
        let attributes: [String: String]
        var children: [Node] = []
        var text = ""

        init(name: String, attributes: [String: String]) {
            self.name = name
            self.attributes = attributes
        }

        /// Below the root, an element with only text becomes that text (its attributes are lost, as in PHP); one
        /// with neither text nor attributes becomes an empty list.
        func json(isRoot: Bool) -> JSONValue {
            if children.isEmpty {
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if attributes.isEmpty || (!isRoot && !trimmed.isEmpty) { return trimmed.isEmpty ? .array([]) : .string(text) }
            }
            var object = JSONObject()
            if !attributes.isEmpty {
                object["@attributes"] = .object(JSONObject(attributes.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))
            }
            var counts: [String: Int] = [:]
            for child in children { counts[child.name, default: 0] += 1 }
            for child in children {
                switch object[child.name] {
                case nil: object[child.name] = counts[child.name, default: 0] > 1 ? .array([child.json(isRoot: false)]) : child.json(isRoot: false)
                case .array(var items)? where counts[child.name, default: 0] > 1:
                    items.append(child.json(isRoot: false))
                    object[child.name] = .array(items)
                case let existing?: object[child.name] = .array([existing, child.json(isRoot: false)])
                }
            }
            if children.isEmpty {
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if !trimmed.isEmpty { object["0"] = .string(text) }
            }
            return .object(object)
        }
    }

    final class Builder: NSObject, XMLParserDelegate {
        var stack: [Node] = []
        var root: Node?
        var failed = false

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
            failed = true
        }

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            let node = Node(name: elementName, attributes: attributes)
            stack.last?.children.append(node)
            stack.append(node)
            if root == nil { root = node }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            _ = stack.popLast()
        }
    }
}
