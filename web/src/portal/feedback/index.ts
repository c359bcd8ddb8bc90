// What the portal's pages embed from the feedback module (issue 7 §3, §4).
export { default as DatasetFeedback } from './DatasetFeedback.tsx';
export { DatasetReuses, FeaturedReuses } from './reuses.tsx';
export { default as FeedbackStats } from './FeedbackStats.tsx';
