-- A company's administrators (会社の管理者) manage its colleagues: invite,
-- remove, and make or unmake administrators. Every company user could do so
-- before, and every one who has set a password keeps the right; colleagues
-- invited from now on start without it.
ALTER TABLE users ADD COLUMN company_admin INTEGER NOT NULL DEFAULT 0 CHECK (company_admin IN (0, 1));
UPDATE users SET company_admin = 1 WHERE company_id IS NOT NULL AND email_confirmed_at IS NOT NULL;

-- When the user last signed in, for the staff list.
ALTER TABLE users ADD COLUMN last_sign_in_at BIGINT;
