import { shareOf, type WholeFile } from '../../input/whole-file.js';
import type { GroupFileAnswer, GroupReply, PlanWorkerReply, WholeJob } from './plan-worker.js';

/** Posts a group of small files to a worker as one job; its answer holds one reply per file, in order. */
export type PostGroup = (files: readonly WholeJob[]) => Promise<GroupReply>;

/** A file of the group being gathered, and how its own answer is settled. */
interface Member {
  readonly job: WholeJob;
  readonly resolve: (reply: PlanWorkerReply) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Small files offered whole, gathered into groups that each go to one worker as one job (issue 25).
 * Segment writes a file per source about every hour, so an archive is tens of thousands of files of a
 * few KiB: one job each cost a message both ways, a wake-up of each thread and an answer settled and
 * decoded per file, about as much as planning the file's lines. A group closes at a whole share of an
 * answer (whole-file.ts: GROUP_BYTES on disk, at most GROUP_FILES files), or when flushed: once the
 * inputs started ahead have been offered (file-scheduler.ts), and when an answer is waited for
 * (input-reading.ts). Each file still gets its own answer: its lines planned (in the replay pass its
 * part of the group's one chunk of records), its bytes handed back, or its own failure.
 */
export class WholeFileGroups {
  #members: Member[] = [];
  #share = 0;

  constructor(private readonly post: PostGroup) {}

  /** The answer for `whole`, the `fileIndex`th input, once the group it joins has been answered. */
  offer(whole: WholeFile, fileIndex: number): Promise<PlanWorkerReply> {
    const share = shareOf(whole.size);
    if (this.#share + share > 1) this.flush();
    const answer = new Promise<PlanWorkerReply>((resolve, reject) => this.#members.push({ job: { fileIndex, whole }, resolve, reject }));
    this.#share += share;
    // A full group goes at once: nothing more can join it.
    if (this.#share >= 1) this.flush();
    return answer;
  }

  /** Posts the group being gathered, if any. */
  flush(): void {
    const members = this.#members;
    if (members.length === 0) return;
    this.#members = [];
    this.#share = 0;
    this.post(members.map((m) => m.job)).then(
      (reply) => members.forEach((member, i) => settle(member, reply, reply.files[i])),
      (error: Error) => members.forEach((member) => member.reject(error)),
    );
  }
}

/**
 * A file's own answer in its group's (its records: a part of the group's chunk): a failure fails that
 * file alone, as its own job would have.
 */
function settle(member: Member, group: GroupReply, answer: GroupFileAnswer | undefined): void {
  if (answer === undefined) member.reject(new Error(`Planning failed: no answer for ${member.job.whole.display}`));
  else if ('error' in answer) member.reject(new Error(`Planning failed: ${answer.error}`));
  else if (!('part' in answer)) member.resolve({ seq: group.seq, ...answer });
  else if (group.chunk) member.resolve({ seq: group.seq, chunk: group.chunk, part: answer.part });
  else member.reject(new Error(`Planning failed: no records for ${member.job.whole.display}`));
}
