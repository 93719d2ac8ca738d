-- Where an application stands, as its employer sets it: new, reviewed, rejected or hired.
ALTER TABLE applications ADD COLUMN status TEXT NOT NULL DEFAULT 'new';
