import { renderSubject, renderTemplate, type TemplateContext, templateProblem } from './template.js';

const ctx: TemplateContext = {
  contact: { name: 'Ada', email: 'ada@example.com', attributes: { plan: 'pro', seats: 3, trial: false, gone: null } },
  event: { type: 'user.signed_up', properties: { source: 'ads', 'utm.campaign': 'spring' } },
};

describe('templateProblem', () => {
  it('accepts every documented variable, with or without spaces', () => {
    expect(
      templateProblem(
        '{{contact.name}} {{ contact.email }} {{contact.attributes.plan}} {{event.type}} {{event.properties.utm.campaign}}',
      ),
    ).toBeNull();
    expect(templateProblem('no variables at all')).toBeNull();
  });

  it('names a variable outside the documented namespaces', () => {
    expect(templateProblem('Hi {{user.name}}')).toMatch(/^uses \{\{user\.name\}\}, which is not a template variable \(contact\.name, /);
    expect(templateProblem('{{contact.attributes}}')).toMatch(/^uses \{\{contact\.attributes\}\}/);
    expect(templateProblem('{{contact.phone}}')).toMatch(/contact\.phone/);
    expect(templateProblem('{{event.properties.a b}}')).toMatch(/event\.properties\.a b/);
    expect(templateProblem('{{}}')).toMatch(/^uses \{\{\}\}/);
  });

  it('refuses unclosed and stray braces', () => {
    expect(templateProblem('Hi {{contact.name')).toBe('has an unclosed {{ or a stray }}');
    expect(templateProblem('Hi contact.name}}')).toBe('has an unclosed {{ or a stray }}');
    expect(templateProblem('{{contact.name}} and {{')).toBe('has an unclosed {{ or a stray }}');
  });
});

describe('renderTemplate', () => {
  it('renders contact and event fields', () => {
    expect(
      renderTemplate(
        '{{contact.name}} <{{contact.email}}> on {{contact.attributes.plan}} ({{contact.attributes.seats}} seats, trial {{contact.attributes.trial}}) did {{event.type}} from {{ event.properties.source }} / {{event.properties.utm.campaign}}',
        ctx,
      ),
    ).toBe('Ada <ada@example.com> on pro (3 seats, trial false) did user.signed_up from ads / spring');
  });

  it('renders missing values empty, never as a raw tag', () => {
    const empty: TemplateContext = { contact: { name: null, email: null, attributes: {} }, event: null };
    expect(renderTemplate('Hi {{contact.name}}, {{contact.attributes.plan}}{{event.type}}{{event.properties.x}}!', empty)).toBe('Hi , !');
    expect(renderTemplate('{{contact.attributes.gone}}|{{contact.attributes.missing}}', ctx)).toBe('|');
    expect(renderTemplate('{{unknown.thing}}x', ctx)).toBe('x');
  });

  it('does not read inherited properties', () => {
    expect(renderTemplate('{{contact.attributes.constructor}}{{event.properties.toString}}', ctx)).toBe('');
  });

  it('never lets a value smuggle a tag into the output', () => {
    const sneaky: TemplateContext = { ...ctx, contact: { ...ctx.contact, name: '{{contact.email}}' } };
    expect(renderTemplate('Hi {{contact.name}}', sneaky)).toBe('Hi ');
  });

  it('keeps a subject on one header line', () => {
    const multiline: TemplateContext = { ...ctx, contact: { ...ctx.contact, name: 'Ada\r\nBcc: x@evil.test' } };
    expect(renderSubject('Welcome, {{contact.name}}', multiline)).toBe('Welcome, Ada Bcc: x@evil.test');
  });
});
