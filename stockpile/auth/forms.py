"""Sign-in and user administration forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Regexp

from stockpile.auth.models import Role
from stockpile.web.form_base import FlaskForm

ROLE_CHOICES = [
    SelectChoice(Role.REGION.value, _l("Region")),
    SelectChoice(Role.LOGISTICS.value, _l("Logistics")),
    SelectChoice(Role.CONTINUITY.value, _l("Continuity and scarcity")),
    SelectChoice(Role.ADMIN.value, _l("Administrator")),
]


EMAIL_SHAPE = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter an email address like name@example.nl."))


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class UserForm(FlaskForm):
    """A user's name, role and region."""

    email = EmailField(_l("Email"), validators=[DataRequired(), EMAIL_SHAPE, Length(max=254)])
    name = StringField(_l("Name"), validators=[Length(max=120)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validators=[DataRequired()])
    region = SelectField(_l("Region (region users only)"), choices=[], validate_choice=True)


class NewUserForm(UserForm):
    """A new user, with a first password."""

    password = PasswordField(_l("Password"), validators=[DataRequired()])


class PasswordForm(FlaskForm):
    """A new password set by the administrator."""

    password = PasswordField(_l("New password"), validators=[DataRequired()])


class ChangePasswordForm(FlaskForm):
    """A user's own password change: the current one, then the new one twice."""

    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm = PasswordField(_l("New password again"), validators=[DataRequired()])


class TokenForm(FlaskForm):
    """A new personal API token: what it is for, and how many days it lives."""

    name = StringField(_l("Name (what the token is for)"), validators=[DataRequired(), Length(max=80)])
    days = IntegerField(_l("Days valid"), default=90, validators=[InputRequired(), NumberRange(min=1, max=365)])
