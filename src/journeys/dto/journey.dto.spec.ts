import 'reflect-metadata';
import { AppError } from '../../common/errors.js';
import { createValidationPipe } from '../../common/validation.js';
import { CreateJourneyDto, SendEmailStep, UpdateJourneyDto, WaitStep } from './journey.dto.js';

const pipe = createValidationPipe();
const validate = (body: unknown, metatype: new () => object = CreateJourneyDto): Promise<unknown> =>
  pipe.transform(body, { type: 'body', metatype });

/** The 400 message the global pipe would answer, or null when the body is valid. */
async function problem(body: unknown, metatype?: new () => object): Promise<string | null> {
  try {
    await validate(body, metatype);
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('bad_request');
    return (e as AppError).message;
  }
}

const valid = {
  name: 'Onboarding',
  trigger: { type: 'event', eventType: 'user.signed_up' },
  reentry: 'every_event',
  steps: [
    { type: 'wait', seconds: 3600 },
    { type: 'send_email', subject: 'Hi {{contact.name}}', text: 'You did {{event.type}} on {{event.properties.plan}}' },
  ],
};

describe('journey definition validation', () => {
  it('accepts a valid definition and builds typed steps', async () => {
    const dto = (await validate(valid)) as CreateJourneyDto;
    expect(dto.steps[0]).toBeInstanceOf(WaitStep);
    expect(dto.steps[1]).toBeInstanceOf(SendEmailStep);
    expect(dto.steps[1]).toEqual(expect.objectContaining({ type: 'send_email', subject: 'Hi {{contact.name}}' }));
  });

  it('defaults reentry by leaving it out', async () => {
    const { reentry: _, ...rest } = valid;
    expect(await problem(rest)).toBeNull();
  });

  it('names an unknown step type', async () => {
    const message = await problem({ ...valid, steps: [valid.steps[0], { type: 'send_sms', text: 'x' }] });
    expect(message).toContain('steps[1].type: must be one of wait, send_email');
    expect(message).toContain('steps[1].text: should not exist');
  });

  it('names a negative, fractional or missing wait', async () => {
    expect(await problem({ ...valid, steps: [{ type: 'wait', seconds: -5 }] })).toBe('steps[0].seconds: must not be less than 0');
    expect(await problem({ ...valid, steps: [valid.steps[1], { type: 'wait', seconds: 1.5 }] })).toBe(
      'steps[1].seconds: must be an integer number',
    );
    expect(await problem({ ...valid, steps: [{ type: 'wait' }] })).toMatch(/^steps\[0\]\.seconds: /);
  });

  it('names template variables outside the documented namespaces', async () => {
    const message = await problem({
      ...valid,
      steps: [{ type: 'send_email', subject: 'Hi {{user.name}}', text: 'ok' }],
    });
    expect(message).toMatch(/^steps\[0\]\.subject: uses \{\{user\.name\}\}, which is not a template variable/);
    const inText = await problem({ ...valid, steps: [{ type: 'send_email', subject: 'ok', text: 'see {{contact.password}}' }] });
    expect(inText).toMatch(/^steps\[0\]\.text: uses \{\{contact\.password\}\}/);
  });

  it('names bad triggers, reentry rules, names and empty step lists', async () => {
    expect(await problem({ ...valid, trigger: { type: 'cron', eventType: 'x' } })).toBe('trigger.type: must be "event"');
    expect(await problem({ ...valid, trigger: { type: 'event', eventType: 'bad|type' } })).toMatch(/^trigger\.eventType: /);
    expect(await problem({ ...valid, reentry: 'twice' })).toBe('reentry: must be one of once, every_event');
    expect(await problem({ ...valid, name: '' })).toMatch(/^name: /);
    expect(await problem({ ...valid, steps: [] })).toMatch(/^steps: /);
    expect(await problem({ ...valid, status: 'active' })).toBe('status: should not exist');
  });

  it('validates partial updates the same way', async () => {
    expect(await problem({ name: 'Renamed' }, UpdateJourneyDto)).toBeNull();
    expect(await problem({ steps: [{ type: 'wait', seconds: -1 }] }, UpdateJourneyDto)).toBe('steps[0].seconds: must not be less than 0');
  });
});
