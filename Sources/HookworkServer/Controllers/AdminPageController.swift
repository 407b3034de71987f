import Foundation
import Hummingbird
import NIOCore

/// The admin page (DESIGN §1): plain HTML, CSS and JavaScript from the package's `Public` folder, served without a token
/// at `/` and `/<file>`; the page itself calls the API with the admin token the user signs in with.
struct AdminPageController {
    /// One file of the page, read once at start.
    struct Asset: Sendable {
        var name: String
        var contentType: String
        var bytes: ByteBuffer
    }

    /// The files of `Public`, sorted by name; empty when the resource folder is missing.
    static func loadAssets() -> [Asset] {
        guard let folder = Bundle.module.url(forResource: "Public", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        else { return [] }
        return names.sorted().compactMap { name -> Asset? in
            guard let type = contentTypes[(name as NSString).pathExtension.lowercased()],
                let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path)
            else { return nil }
            return Asset(name: name, contentType: type, bytes: ByteBuffer(bytes: data))
        }
    }

    static let contentTypes: [String: String] = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
        "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon",
    ]

    func register(on table: RouteTable) {
        for asset in Self.loadAssets() {
            let path = asset.name == "index.html" ? "/" : "/" + asset.name
            table.add(.get, path, "The admin page: \(asset.name)", scope: .public, tag: "admin page") { _, _ in
                Response(
                    status: .ok,
                    headers: [.contentType: asset.contentType, .cacheControl: "no-cache", .init("X-Content-Type-Options")!: "nosniff"],
                    body: ResponseBody(byteBuffer: asset.bytes)
                )
            }
        }
    }
}
