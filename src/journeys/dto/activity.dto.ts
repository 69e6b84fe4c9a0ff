export type RunStatus = 'active' | 'waiting' | 'completed' | 'failed';
/** `sending`: written before the SMTP hand-off; it becomes sent or failed after it. */
export type MessageStatus = 'sending' | 'sent' | 'captured' | 'blocked' | 'failed';
export type BlockReason = 'no_email' | 'no_consent' | 'unsubscribed' | 'deactivated';

/** One entry of a run's step history: what ran when, and what came of it. */
export type StepRecord =
  | { index: number; type: 'wait'; status: 'scheduled'; at: string; seconds: number; until: string }
  | {
      index: number;
      type: 'send_email';
      status: Exclude<MessageStatus, 'sending'>;
      at: string;
      messageId: string;
      reason: string | null;
    };


export interface RunView {
  id: string;
  contactId: string;
  status: RunStatus;
  steps: StepRecord[];
  createdAt: string;
}

export interface MessageView {
  id: string;
  journeyId: string;
  runId: string;
  contactId: string;
  to: string | null;
  subject: string;
  status: MessageStatus;
  reason: string | null;
  createdAt: string;
}
