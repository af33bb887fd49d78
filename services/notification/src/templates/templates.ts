import type { NotificationType } from './catalog.js'
import { render, type TemplateVars } from './render.js'

interface Template {
  inApp: { title: string; body: string }
  email: { subject: string; text: string; html: string }
}

const layout = (inner: string) =>
  `<!doctype html><html><body style="font-family:sans-serif">${inner}<p style="color:#888">{{appName}}</p></body></html>`

/** One template per type and channel; variables in `{{ }}`. */
export const TEMPLATES: Record<NotificationType, Template> = {
  security_notice: {
    inApp: { title: 'Security notice', body: '{{message}}' },
    email: { subject: 'Security notice', text: 'Hello {{fullName}},\n\n{{message}}', html: layout('<p>Hello {{fullName}},</p><p>{{message}}</p>') },
  },
  welcome: {
    inApp: { title: 'Welcome, {{fullName}}', body: 'Your account is ready. Browse the catalogue to start learning.' },
    email: {
      subject: 'Welcome to the learning platform',
      text: 'Hello {{fullName}},\n\nYour account is ready: {{link}}',
      html: layout('<p>Hello {{fullName}},</p><p>Your account is ready. <a href="{{link}}">Start learning</a>.</p>'),
    },
  },
  enrollment_confirmed: {
    inApp: { title: 'Enrolled in {{courseTitle}}', body: 'You are enrolled in {{courseTitle}}.' },
    email: {
      subject: 'You are enrolled in {{courseTitle}}',
      text: 'Hello {{fullName}},\n\nYou are enrolled in {{courseTitle}}: {{link}}',
      html: layout('<p>Hello {{fullName}},</p><p>You are enrolled in <a href="{{link}}">{{courseTitle}}</a>.</p>'),
    },
  },
  instructor_new_enrollment: {
    inApp: { title: 'New student in {{courseTitle}}', body: '{{studentName}} enrolled in {{courseTitle}}.' },
    email: {
      subject: 'New student in {{courseTitle}}',
      text: '{{studentName}} enrolled in {{courseTitle}}: {{link}}',
      html: layout('<p>{{studentName}} enrolled in <a href="{{link}}">{{courseTitle}}</a>.</p>'),
    },
  },
  progress_milestone: {
    inApp: { title: '{{milestone}}% of {{courseTitle}}', body: 'You have completed {{milestone}}% of {{courseTitle}}. Keep going!' },
    email: {
      subject: '{{milestone}}% of {{courseTitle}} done',
      text: 'You have completed {{milestone}}% of {{courseTitle}}: {{link}}',
      html: layout('<p>You have completed {{milestone}}% of <a href="{{link}}">{{courseTitle}}</a>. Keep going!</p>'),
    },
  },
  course_completed: {
    inApp: { title: 'You completed {{courseTitle}}', body: 'Congratulations on completing {{courseTitle}}.' },
    email: {
      subject: 'You completed {{courseTitle}}',
      text: 'Congratulations on completing {{courseTitle}}: {{link}}',
      html: layout('<p>Congratulations on completing <a href="{{link}}">{{courseTitle}}</a>.</p>'),
    },
  },
  certificate_issued: {
    inApp: { title: 'Certificate for {{courseTitle}}', body: 'Your certificate is ready. Verification code: {{verificationCode}}.' },
    email: {
      subject: 'Your certificate for {{courseTitle}}',
      text: 'Your certificate for {{courseTitle}} is ready. Verification code: {{verificationCode}}. {{link}}',
      html: layout('<p>Your certificate for {{courseTitle}} is ready.</p><p>Verification code: <code>{{verificationCode}}</code></p><p><a href="{{link}}">View it</a></p>'),
    },
  },
  assessment_passed: {
    inApp: { title: 'Passed: {{assessmentTitle}}', body: 'You scored {{score}}% on {{assessmentTitle}}.' },
    email: {
      subject: 'You passed {{assessmentTitle}}',
      text: 'You scored {{score}}% on {{assessmentTitle}}: {{link}}',
      html: layout('<p>You scored {{score}}% on <a href="{{link}}">{{assessmentTitle}}</a>.</p>'),
    },
  },
  assessment_retry: {
    inApp: { title: 'Try again: {{assessmentTitle}}', body: 'You scored {{score}}% on {{assessmentTitle}} (attempt {{attemptNumber}}). You can try again.' },
    email: {
      subject: 'Try {{assessmentTitle}} again',
      text: 'You scored {{score}}% on {{assessmentTitle}} (attempt {{attemptNumber}}). You can try again: {{link}}',
      html: layout('<p>You scored {{score}}% on {{assessmentTitle}} (attempt {{attemptNumber}}). <a href="{{link}}">Try again</a>.</p>'),
    },
  },
  waitlist_joined: {
    inApp: { title: 'On the waitlist for {{courseTitle}}', body: 'You are number {{position}} on the waitlist for {{courseTitle}}. You will be enrolled when a seat frees up.' },
    email: {
      subject: 'You are on the waitlist for {{courseTitle}}',
      text: 'You are number {{position}} on the waitlist for {{courseTitle}}. You will be enrolled when a seat frees up: {{link}}',
      html: layout('<p>You are number {{position}} on the waitlist for <a href="{{link}}">{{courseTitle}}</a>. You will be enrolled when a seat frees up.</p>'),
    },
  },
  waitlist_course_published: {
    inApp: { title: 'Published: {{courseTitle}}', body: "A course you're waiting for was published: {{courseTitle}}." },
    email: {
      subject: "A course you're waiting for was published: {{courseTitle}}",
      text: "A course you're waiting for was published: {{courseTitle}}. {{link}}",
      html: layout(`<p>A course you're waiting for was published: <a href="{{link}}">{{courseTitle}}</a>.</p>`),
    },
  },
  announcement: {
    inApp: { title: '{{title}}', body: '{{message}}' },
    email: { subject: '{{title}}', text: '{{message}}', html: layout('<h2>{{title}}</h2><p>{{message}}</p>') },
  },
}

export function renderInApp(type: NotificationType, vars: TemplateVars) {
  const t = TEMPLATES[type].inApp
  return { title: render(t.title, vars), body: render(t.body, vars) }
}

export function renderEmail(type: NotificationType, vars: TemplateVars) {
  const t = TEMPLATES[type].email
  return { subject: render(t.subject, vars), text: render(t.text, vars), html: render(t.html, vars, { html: true }) }
}
