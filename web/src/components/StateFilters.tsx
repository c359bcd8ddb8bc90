// The filter bar of the deadline-driven work lists (registrations, sharing requests): states to show and
// "overdue only". Each change goes back to the first page (onChange is called with the new values).
import { Select, Space, Switch } from 'antd';
import type { ReactNode } from 'react';

export function StateFilters<S extends string>(props: {
  /** Shown before the filters (e.g. a scope switch). */
  before?: ReactNode;
  states: S[];
  options: { value: S; label: string }[];
  stateLabel: string;
  overdue: boolean;
  overdueLabel: string;
  /** Id of the overdue switch (its label points at it). */
  overdueId: string;
  onChange: (next: { states: S[]; overdue: boolean }) => void;
}) {
  return (
    <Space wrap style={{ marginBottom: 16 }}>
      {props.before}
      <Select<S[]>
        mode="multiple"
        allowClear
        aria-label={props.stateLabel}
        placeholder={props.stateLabel}
        style={{ minWidth: 240 }}
        value={props.states}
        onChange={(states) => props.onChange({ states, overdue: props.overdue })}
        options={props.options}
      />
      <Space>
        <Switch id={props.overdueId} checked={props.overdue} onChange={(overdue) => props.onChange({ states: props.states, overdue })} />
        <label htmlFor={props.overdueId}>{props.overdueLabel}</label>
      </Space>
    </Space>
  );
}
