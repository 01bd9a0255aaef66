import Mustache

/// The server-rendered pages' templates, compiled once at start.
struct PageTemplates: Sendable {
    let library: MustacheLibrary

    init() throws {
        var library = MustacheLibrary()
        for (name, text) in PageTemplateText.all {
            try library.register(text, named: name)
        }
        self.library = library
    }

    func render(_ name: String, _ values: [String: Any]) -> String {
        library.render(values, withTemplate: name) ?? ""
    }
}

