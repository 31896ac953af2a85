"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { parseRules, type Rule } from "@/lib/devices/conventions/rules";
import { previewRule, type Preview } from "@/lib/devices/conventions/rule-preview";
import { suggestRule } from "@/lib/devices/conventions/rule-suggest";
import { compilePattern } from "@/lib/devices/conventions/topic-pattern";
import { sampleMessages, siblingTopics } from "@/lib/topics/rule-sample";
import type { TopicTree } from "@/lib/topics/tree";
import { counted } from "@/lib/text/counted";
import { ruleProblems, saveUserRule } from "@/lib/api-client/conventions";
import { errorText, isApiRefusal } from "@/lib/api-client/request";
import { useActor } from "../auth/ActorProvider";
import s from "./topics.module.css";

interface Props {
  topic: string;
  tree: TopicTree;
  /** The tree's version: the preview follows what arrives. */
  version: number;
  onClose(): void;
}

type Checked = { rule: Rule; errors: null } | { rule: null; errors: string[] };
type Saving = { state: "idle" | "saving" } | { state: "saved"; action: string } | { state: "error"; errors: string[] };

const decoder = new TextDecoder();

function check(text: string): Checked {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { rule: null, errors: [`not JSON: ${err instanceof Error ? err.message : String(err)}`] };
  }
  const parsed = parseRules({ rules: [json] });
  return parsed.ok ? { rule: parsed.rules[0]!, errors: null } : { rule: null, errors: parsed.errors };
}

function firstRule(topic: string, tree: TopicTree): string {
  const node = tree.get(topic);
  const text = node?.last && !node.last.truncated ? decoder.decode(node.last.bytes) : "";
  return JSON.stringify(suggestRule(topic, text, siblingTopics(tree, topic)), null, 2);
}

/**
 * "Make these devices": a rule (lib/devices/conventions/rules.ts) started from the selected
 * topic, edited as JSON, tried live on what the tree holds, and saved for the whole server.
 */
export function RuleMaker({ topic, tree, version, onClose }: Props) {
  const { can } = useActor();
  const router = useRouter();
  const [text, setText] = useState(() => firstRule(topic, tree));
  const [saving, setSaving] = useState<Saving>({ state: "idle" });
  const checked = useMemo(() => check(text), [text]);
  const preview = useMemo<Preview | null>(() => {
    if (!checked.rule) return null;
    const p = compilePattern(checked.rule.pattern);
    return p.ok ? previewRule(checked.rule, sampleMessages(tree, p.pattern.filter)) : null;
  }, [checked, tree, version]); // Dependencies on purpose: version stands for the tree's contents

  // The two keys a user changes first, kept in step with the JSON below.
  const setKey = (key: "name" | "pattern", value: string) => {
    if (!checked.rule) return;
    setText(JSON.stringify({ ...checked.rule, [key]: value }, null, 2));
    setSaving({ state: "idle" });
  };

  const save = async () => {
    if (!checked.rule) return;
    setSaving({ state: "saving" });
    try {
      const saved = await saveUserRule(checked.rule);
      setSaving({ state: "saved", action: saved.action });
      // The layout hands the tab the rules in force: the fleet reads live messages with the new one.
      router.refresh();
    } catch (err) {
      setSaving({ state: "error", errors: isApiRefusal(err) ? ruleProblems(err) : [`could not save: ${errorText(err)}`] });
    }
  };

  return (
    <section className={s.detail} aria-label="Make these devices" onKeyDown={(e) => e.key === "Escape" && onClose()}>
      <div className={s.inline}>
        <h2>Make these devices</h2>
        <button type="button" className={s.button} onClick={onClose}>Close</button>
      </div>
      <p className="muted small">
        A rule of your own: which level of the topic names the device, and which values are its fields. The preview
        below runs it on the messages this page has seen; saving applies it for everyone, without a restart.
      </p>
      <div className={s.form}>
        <label>
          rule name
          <input className={s.mono} value={checked.rule?.name ?? ""} disabled={!checked.rule} onChange={(e) => setKey("name", e.target.value)} aria-label="Rule name" />
        </label>
        <label>
          topic pattern ({"{device}"} names the device)
          <input className={s.mono} value={checked.rule?.pattern ?? ""} disabled={!checked.rule} onChange={(e) => setKey("pattern", e.target.value)} aria-label="Topic pattern" />
        </label>
        <label className={s.wide}>
          the rule (JSON: fields, status, events, commands; see the README)
          <textarea
            className={s.mono}
            rows={14}
            spellCheck={false}
            value={text}
            aria-label="Rule JSON"
            aria-invalid={checked.errors !== null}
            onChange={(e) => {
              setText(e.target.value);
              setSaving({ state: "idle" });
            }}
          />
        </label>
      </div>
      {checked.errors && (
        <ul className={s.fieldError} role="alert" aria-label="Rule problems">
          {checked.errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      {preview && <RulePreview preview={preview} />}
      <div className={s.inline}>
        {can.manageRules ? (
          <button type="button" className={s.button} onClick={() => void save()} disabled={!checked.rule || saving.state === "saving" || preview?.devices.length === 0}>
            {saving.state === "saving" ? "Saving…" : "Save rule"}
          </button>
        ) : (
          <span className="muted small">Saving a rule needs the admin role.</span>
        )}
        {saving.state === "saved" && (
          <span role="status">
            Rule {saving.action}: its devices are on the <Link href="/">fleet overview</Link>.
          </span>
        )}
      </div>
      {saving.state === "error" && (
        <ul className={s.fieldError} role="alert" aria-label="Save problems">
          {saving.errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

function RulePreview({ preview }: { preview: Preview }) {
  return (
    <div aria-label="Rule preview">
      <p className="small" data-testid="rule-preview-summary">
        {preview.devices.length === 0 ? "No device yet: the pattern matches none of the messages seen here." : `${counted(preview.devices.length, "device")} from the messages seen here`}
        {preview.unmatched > 0 ? ` · ${counted(preview.unmatched, "message")} under the pattern it reads nothing from` : ""}
      </p>
      {preview.devices.length > 0 && (
        <table className="small">
          <thead>
            <tr><th>device</th><th>group</th><th>status</th><th>fields</th><th>messages</th></tr>
          </thead>
          <tbody>
            {preview.devices.slice(0, 50).map((d) => (
              <tr key={d.id} data-testid="rule-preview-device">
                <td className={s.mono}>{d.name}</td>
                <td>{d.group}</td>
                <td>{d.status}</td>
                <td className={s.mono}>{d.fields.map((f) => `${f.name} ${f.value}${f.unit ? ` ${f.unit}` : ""}`).join(" · ") || "—"}</td>
                <td>{d.messages}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {preview.devices.length > 50 && <p className="muted small">and {preview.devices.length - 50} more</p>}
      {preview.problems.length > 0 && (
        <ul className="small" aria-label="What the rule could not read">
          {preview.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
