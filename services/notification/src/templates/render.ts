export type TemplateVars = Record<string, string | number | boolean | null | undefined>

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)
}

/**
 * Fills `{{name}}` placeholders. With `html`, every variable is escaped (the
 * template itself is trusted markup, the variables never are).
 */
export function render(template: string, vars: TemplateVars, opts: { html?: boolean } = {}): string {
  return template.replace(/\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/g, (_match, name: string) => {
    const value = vars[name]
    const text = value === undefined || value === null ? '' : String(value)
    return opts.html ? escapeHtml(text) : text
  })
}
