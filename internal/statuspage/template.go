package statuspage

import (
	"embed"
	"html/template"
)

//go:embed templates/page.html templates/error.html templates/style.css
var templateFS embed.FS

// The stylesheet is inlined: the page loads nothing else, so it renders
// the same offline, behind a strict policy, or over a poor phone link.
var (
	pageTmpl  = parse("templates/page.html")
	errorTmpl = parse("templates/error.html")
)

func parse(name string) *template.Template {
	css, err := templateFS.ReadFile("templates/style.css")
	if err != nil {
		panic(err) // embedded above: cannot happen in a built binary
	}
	funcs := template.FuncMap{"css": func() template.CSS { return template.CSS(css) }}
	return template.Must(template.New(name[len("templates/"):]).Funcs(funcs).ParseFS(templateFS, name))
}
