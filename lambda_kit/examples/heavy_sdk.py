"""Stands in for a big SDK (boto3, pandas, an ML library): slow to import, once per cold start.

It loads about thirty standard-library packages (several hundred modules with
what they pull in), ~130-190 ms on a small machine, and offers one function.
"""
# ruff: noqa: F401

import asyncio
import concurrent.futures
import configparser
import csv
import decimal
import email.mime.multipart
import ftplib
import html.parser
import http.client
import http.server
import imaplib
import importlib.metadata
import ipaddress
import logging.handlers
import mailbox
import multiprocessing
import plistlib
import pydoc
import smtplib
import sqlite3
import ssl
import statistics
import tarfile
import unittest
import urllib.request
import xml.dom.minidom
import xml.etree.ElementTree
import xmlrpc.client
import zipfile


def median_price(prices: list[float]) -> str:
    """The median of ``prices``, computed in decimal."""
    return str(statistics.median(decimal.Decimal(str(p)) for p in prices))
