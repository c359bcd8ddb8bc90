// The authority confirms (or raises) a resource's grade, with a comment; never below what its fields and the
// grading rules require (the server refuses that with the computed grade).
import { useState } from 'react';
import { App as AntApp, Form, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { post } from '../../api.ts';
import { CommentModal, useGradeLabel, useName } from './common.tsx';
import { GRADES, type Grade, type Resource } from './types.ts';

export interface Gradable {
  id: string;
  nameZh: string;
  nameEn: string;
  grade: Grade;
  gradeLevel: number | null;
  lockVersion: number;
}

export default function GradeModal({ r, onClose, onDone }: { r: Gradable; onClose(): void; onDone(r: Resource): void }) {
  const { t } = useTranslation();
  const gradeLabel = useGradeLabel();
  const name = useName();
  const { message } = AntApp.useApp();
  const [grade, setGrade] = useState<Grade>(r.grade);
  const [level, setLevel] = useState<number>(r.gradeLevel ?? 1);
  return (
    <CommentModal
      open
      title={`${t('catalog.grading.confirmTitle')} — ${name(r)}`}
      testId="grade"
      extra={
        <Form.Item label={t('catalog.fields.grade')} required>
          <Space>
            <Select
              aria-label={t('catalog.fields.grade')}
              value={grade}
              style={{ width: 140 }}
              onChange={setGrade}
              options={GRADES.map((g) => ({ value: g, label: t(`catalog.grade.${g}`) }))}
            />
            {grade === 'general' && (
              <Select
                aria-label={t('catalog.fields.gradeLevel')}
                value={level}
                style={{ width: 160 }}
                onChange={setLevel}
                options={[1, 2, 3, 4].map((l) => ({ value: l, label: gradeLabel('general', l) }))}
              />
            )}
          </Space>
        </Form.Item>
      }
      onSubmit={async (comment) => {
        const next = await post<Resource>(`/api/catalog/resources/${r.id}/grade`, {
          grade,
          level: grade === 'general' ? level : null,
          comment,
          lockVersion: r.lockVersion,
        });
        onDone(next);
        message.success(t('catalog.grading.confirmed'));
      }}
      onClose={onClose}
    />
  );
}
